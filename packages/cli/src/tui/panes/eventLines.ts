import { type TaskEventBody, type TaskEventKind, type TaskStatus, visible } from '@nexa/core';

/** How a pane is showing a task right now. */
export interface EventLineContext {
  /** The pane's width: collapsed lines are cut to it so they stay one row. */
  cols: number;
  /** Tool calls and results in full instead of one line each. */
  expandTools: boolean;
}

// Nexa's own styling of what it says about a task, as SGR written into the
// pane's terminal (the pane turns cells into Ink colours, and drops them for NO_COLOR).
const sgr = (codes: string) => (text: string) => `\u001b[${codes}m${text}\u001b[0m`;
const style = {
  dim: sgr('2'),
  thought: sgr('2;3'),
  tool: sgr('36'),
  attention: sgr('1;33'),
  good: sgr('32'),
  bad: sgr('31'),
  warn: sgr('33'),
};

/** Agent- or task-written text on one line: controls shown escaped (a `\r` too: it can hide what precedes it), spaces, tabs and newlines as one space. */
const oneLine = (text: string) => visible(text.replace(/[ \t\n]+/g, ' ').trim());

/** Cuts to `width` characters with an ellipsis, so a collapsed line never wraps into two. */
export function cut(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  return width <= 1 ? '…'.slice(0, width) : `${chars.slice(0, width - 1).join('')}…`;
}

/** Agent text kept as lines (newlines and tabs stay), every other control escaped. */
const prose = (text: string) => visible(text.trimEnd(), { keepNewlines: true, keepTabs: true });
const indent = (text: string, by: string) => text.replace(/^/gm, by);

/** The fields an agent's tool input most often says what it does with, in the order they say it best. */
const summaryFields = ['command', 'cmd', 'file_path', 'path', 'pattern', 'url', 'query'] as const;

/** What a tool call does, in one line: its command or path when the input has one, else the adapter's title. */
function toolSummary(event: Extract<TaskEventBody, { kind: 'tool_call' }>): string {
  const input = event.input;
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    for (const field of summaryFields) {
      const value = (input as Record<string, unknown>)[field];
      if (typeof value === 'string' && value.trim()) return oneLine(value);
      if (Array.isArray(value) && value.every((part) => typeof part === 'string'))
        return oneLine(value.join(' '));
    }
  }
  if (event.title.trim()) return oneLine(event.title);
  return input === undefined ? '' : oneLine(JSON.stringify(input));
}

const lineCount = (text: string) => (text === '' ? 0 : text.replace(/\n$/, '').split('\n').length);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const finalStatus: Partial<Record<TaskStatus, (text: string) => string>> = {
  succeeded: style.good,
  failed: style.bad,
  cancelled: style.warn,
  timed_out: style.warn,
};

type Formatter<K extends TaskEventKind> = (
  event: Extract<TaskEventBody, { kind: K }>,
  ctx: EventLineContext,
) => string;

/**
 * What each kind of event puts in a pane, as terminal text ending in a
 * newline ('' for nothing). Only `output` goes in raw: the headless terminal
 * contains it. Everything else an agent wrote is shown with its controls
 * escaped, so a message cannot move the cursor or recolour the pane.
 */
export const eventLines: { [K in TaskEventKind]: Formatter<K> } = {
  output: (event) => event.data,
  session: () => '',
  agent_message: (event) => {
    if (!event.text.trim()) return '';
    const text = prose(event.text);
    return `${event.role === 'thought' ? style.thought(text) : text}\n`;
  },
  tool_call: (event, ctx) => {
    const name = oneLine(event.tool);
    if (!ctx.expandTools) {
      const line = cut(`▸ ${name}  ${toolSummary(event)}`.trimEnd(), ctx.cols);
      return `${style.tool(line)}\n`;
    }
    const title = event.title.trim() ? `  ${oneLine(event.title)}` : '';
    const input =
      event.input === undefined
        ? ''
        : `${style.dim(indent(prose(JSON.stringify(event.input, null, 2)), '    '))}\n`;
    return `${style.tool(`▸ ${name}${title}`)}\n${input}`;
  },
  tool_result: (event, ctx) => {
    const paint = event.ok ? style.dim : style.bad;
    const failed = event.ok ? '' : 'failed, ';
    if (!ctx.expandTools || !event.output.trim()) {
      return `${paint(`  ↳ ${failed}${plural(lineCount(event.output), 'line')}`)}\n`;
    }
    return `${paint(`  ↳ ${indent(prose(event.output), '    ').slice(4)}`)}\n`;
  },
  approval_requested: (event) =>
    `${style.attention(`⚠ needs approval: ${oneLine(event.tool)} ${oneLine(event.action)}`)} ${style.dim(`(${event.risk}, ${event.approvalId})`)}\n`,
  approval_decided: (event) => {
    const by = oneLine(event.decidedBy);
    const rule = event.rule ? ` (rule ${oneLine(event.rule)})` : '';
    if (event.status === 'approved') return `${style.good(`✓ approved by ${by}${rule}`)}\n`;
    if (event.status === 'expired') return `${style.warn('✗ expired: nobody answered in time')}\n`;
    const reason = event.reason ? oneLine(event.reason) : 'no reason given';
    return `${style.bad(`✗ denied: ${reason}`)} ${style.dim(`(by ${by}${rule})`)}\n`;
  },
  error: (event) => `${style.bad(`error: ${prose(event.message)}`)}\n`,
  status: (event) => {
    const paint = finalStatus[event.status];
    const reason = event.reason ? `: ${oneLine(event.reason)}` : '';
    if (paint) {
      const exit = event.exitCode === null || event.exitCode === undefined ? '' : ` (exit ${event.exitCode})`;
      return `${paint(`■ ${event.status.replace('_', ' ')}${exit}${reason}`)}\n`;
    }
    // A task sent back to the queue (its worker was lost) says why; other steps are the status bar's job.
    if (event.status === 'queued' && event.reason) return `${style.dim(`· queued again${reason}`)}\n`;
    return '';
  },
  artifact: (event) =>
    `${style.dim(`± ${plural(event.files, 'file')} changed, +${event.insertions} −${event.deletions} on ${oneLine(event.branch)}`)}\n`,
  usage: () => '',
  egress: (event) =>
    `${style.warn(`⊘ refused a connection to ${oneLine(`${event.host}:${event.port}`)}: ${oneLine(event.reason)}`)}\n`,
};

/** The terminal text of one event (see `eventLines`). */
export function eventText(event: TaskEventBody, ctx: EventLineContext): string {
  return (eventLines[event.kind] as Formatter<TaskEventKind>)(event, ctx);
}
