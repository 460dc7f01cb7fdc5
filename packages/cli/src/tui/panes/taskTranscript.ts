import type { StoredTaskEvent } from '@nexa/core';
import { eventText } from './eventLines.js';
import type { TerminalBuffer } from './terminalBuffer.js';

/**
 * Characters of events a transcript keeps to rebuild its pane (when tools
 * are expanded or collapsed). A pane shows at most SCROLLBACK_ROWS rows, and
 * 256 Ki characters is more than that at any sane width, for each of the few
 * panes on screen at once, without the TUI's memory growing with its output.
 */
export const KEPT_EVENT_CHARS = 256 * 1024;

/** Roughly what an event costs to keep: output is almost all of it. */
const sizeOf = (event: StoredTaskEvent) =>
  event.kind === 'output'
    ? event.data.length + 64
    : event.kind === 'usage'
      ? 0
      : JSON.stringify(event).length;

/**
 * A task's events as its pane shows them: each one written into the pane's
 * TerminalBuffer as it arrives, in seq order and once (a resumed subscription
 * may repeat the last ones), and kept, bounded, so the pane can be redrawn
 * with tool calls expanded or collapsed.
 */
export class TaskTranscript {
  private kept: StoredTaskEvent[] = [];
  private keptChars = 0;
  private droppedAny = false;
  private expandTools: boolean;
  /** Whether the last thing written ended a line, so Nexa's own lines start on a fresh one. */
  private atLineStart = true;
  private seq = 0;

  private readonly maxKeptChars: number;

  constructor(
    readonly buffer: TerminalBuffer,
    options: { expandTools?: boolean; keptChars?: number } = {},
  ) {
    this.expandTools = options.expandTools ?? false;
    this.maxKeptChars = options.keptChars ?? KEPT_EVENT_CHARS;
  }

  /** The last seq shown: resume the task's event subscription after it. */
  get lastSeq(): number {
    return this.seq;
  }

  get toolsExpanded(): boolean {
    return this.expandTools;
  }

  /** Shows events not seen yet (seq above `lastSeq`); older ones are ignored. */
  append(events: Iterable<StoredTaskEvent>): void {
    let text = '';
    for (const event of events) {
      if (event.seq <= this.seq) continue;
      this.seq = event.seq;
      this.keep(event);
      text += this.render(event);
    }
    // One write per batch: the pane re-renders once per parsed write.
    if (text) this.buffer.write(text);
  }

  /** Expands or collapses tool calls and results, redrawing the pane from the kept events. */
  setExpandTools(expand: boolean): void {
    if (expand === this.expandTools) return;
    this.expandTools = expand;
    this.rebuild();
  }

  /** Redraws the pane from the kept events (e.g. after a resize changed where collapsed lines are cut). */
  rebuild(): void {
    this.buffer.reset();
    this.atLineStart = true;
    let text = this.droppedAny ? '\u001b[2m… earlier events are no longer kept\u001b[0m\n' : '';
    for (const event of this.kept) text += this.render(event);
    this.buffer.write(text);
  }

  private render(event: StoredTaskEvent): string {
    const text = eventText(event, { cols: this.buffer.cols, expandTools: this.expandTools });
    if (!text) return '';
    const ownLine = event.kind !== 'output';
    const prefix = ownLine && !this.atLineStart ? '\n' : '';
    this.atLineStart = text.endsWith('\n');
    return prefix + text;
  }

  private keep(event: StoredTaskEvent): void {
    const size = sizeOf(event);
    if (size === 0) return;
    this.kept.push(event);
    this.keptChars += size;
    if (this.keptChars <= this.maxKeptChars) return;
    // Down to three quarters, so a full transcript splices once per quarter of its budget, not on every event.
    const target = (this.maxKeptChars * 3) / 4;
    let drop = 0;
    while (this.keptChars > target && drop < this.kept.length - 1) {
      this.keptChars -= sizeOf(this.kept[drop]!);
      drop++;
    }
    this.kept.splice(0, drop);
    this.droppedAny ||= drop > 0;
  }
}
