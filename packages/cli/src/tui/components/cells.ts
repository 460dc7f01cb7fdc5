import { formatDuration, type Task, type TaskStatus, visible } from '@nexa/core';

/**
 * Text cut or padded to exactly `width` columns, with every terminal control
 * escaped first: a title, a last line or a worker name is the task's or the
 * worker's text, and must not move the cursor or recolour the screen.
 * Wide characters count as two columns, so a row never wraps.
 */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const chars = [...visible(text)];
  const total = chars.reduce((sum, char) => sum + columnsOf(char), 0);
  let out = '';
  let used = 0;
  if (total <= width) {
    out = chars.join('');
    used = total;
  } else {
    for (const char of chars) {
      const w = columnsOf(char);
      if (used + w > width - 1) break;
      out += char;
      used += w;
    }
    out += '…';
    used += 1;
  }
  const pad = ' '.repeat(Math.max(0, width - used));
  return align === 'right' ? pad + out : out + pad;
}

/** Columns a character takes: 2 for East Asian wide and emoji, 0 for combining marks, else 1. */
function columnsOf(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code >= 0x300 && code <= 0x36f) return 0;
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** `t-3f2a`: the prefix and the id's random tail, enough to tell tasks apart on a screen. */
export function shortId(id: string): string {
  const dash = id.indexOf('-');
  return dash < 0 ? id : `${id.slice(0, dash + 1)}${id.slice(-4)}`;
}

export const statusGlyphs: Record<TaskStatus, { glyph: string; color: string }> = {
  queued: { glyph: '◌', color: 'gray' },
  assigned: { glyph: '◔', color: 'cyan' },
  running: { glyph: '●', color: 'cyan' },
  waiting_approval: { glyph: '⚠', color: 'yellow' },
  succeeded: { glyph: '✓', color: 'green' },
  failed: { glyph: '✗', color: 'red' },
  cancelled: { glyph: '⊘', color: 'gray' },
  timed_out: { glyph: '⏱', color: 'red' },
};

/** How long the task has run (or ran), "-" before it started. */
export function elapsed(task: Pick<Task, 'startedAt' | 'finishedAt'>, now: number): string {
  if (!task.startedAt) return '-';
  const end = task.finishedAt ? Date.parse(task.finishedAt) : now;
  const ms = Math.max(0, end - Date.parse(task.startedAt));
  return ms < 1000 ? '0s' : formatDuration(Math.floor(ms / 1000) * 1000);
}

export function money(costUsd: number | null | undefined): string {
  if (costUsd === null || costUsd === undefined) return '';
  return costUsd < 0.01 ? '<$0.01' : `$${costUsd.toFixed(2)}`;
}

/** "5m", "in 30s", for an approval's age and time left. */
export function span(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h`;
}
