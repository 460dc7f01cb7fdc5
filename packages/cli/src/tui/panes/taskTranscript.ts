import type { StoredTaskEvent, ThreadMessage } from '@nexa/core';
import { eventText } from './eventLines.js';
import { messageText, shownInPane } from './messageLines.js';
import type { TerminalBuffer } from './terminalBuffer.js';

/**
 * Characters of events a transcript keeps to rebuild its pane (when tools
 * are expanded or collapsed). A pane shows at most SCROLLBACK_ROWS rows, and
 * 256 Ki characters is more than that at any sane width, for each of the few
 * panes on screen at once, without the TUI's memory growing with its output.
 */
export const KEPT_EVENT_CHARS = 256 * 1024;

/** What a pane shows: the task's events, and the messages of its thread that people (or its questions) wrote. */
export type TranscriptItem = { event: StoredTaskEvent } | { message: ThreadMessage };

/** Roughly what an item costs to keep: output is almost all of it. */
const sizeOf = (item: TranscriptItem) => {
  if ('message' in item) return item.message.body.length + 128;
  const { event } = item;
  return event.kind === 'output'
    ? event.data.length + 64
    : event.kind === 'usage'
      ? 0
      : JSON.stringify(event).length;
};

/** When an item happened, to place a thread message among the events around it. */
const timeOf = (item: TranscriptItem) =>
  'message' in item ? Date.parse(item.message.createdAt) : item.event.at;

/**
 * A task's events as its pane shows them: each one written into the pane's
 * TerminalBuffer as it arrives, in seq order and once (a resumed subscription
 * may repeat the last ones), and kept, bounded, so the pane can be redrawn
 * with tool calls expanded or collapsed.
 */
export class TaskTranscript {
  private kept: TranscriptItem[] = [];
  private keptChars = 0;
  private droppedAny = false;
  private expandTools: boolean;
  /** Whether the last thing written ended a line, so Nexa's own lines start on a fresh one. */
  private atLineStart = true;
  private seq = 0;
  private messageSeq = 0;

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

  /** The last thread message seq taken in: resume the thread's watch after it. */
  get lastMessageSeq(): number {
    return this.messageSeq;
  }

  /** Shows events not seen yet (seq above `lastSeq`); older ones are ignored. */
  append(events: Iterable<StoredTaskEvent>): void {
    this.appendItems(Array.from(events, (event) => ({ event })));
  }

  /**
   * Shows events and thread messages not seen yet, in the order they
   * happened. Items normally arrive in that order; a message older than what
   * is already shown (the two streams catch up separately when a pane opens)
   * is put in its place and the pane redrawn.
   */
  appendItems(items: Iterable<TranscriptItem>): void {
    let text = '';
    let outOfOrder = false;
    for (const item of items) {
      if ('message' in item) {
        if (item.message.seq <= this.messageSeq) continue;
        this.messageSeq = item.message.seq;
        if (!shownInPane(item.message)) continue;
      } else {
        if (item.event.seq <= this.seq) continue;
        this.seq = item.event.seq;
      }
      const last = this.kept.at(-1);
      if (last && timeOf(item) < timeOf(last)) {
        outOfOrder = true;
        this.keepInPlace(item);
        continue;
      }
      this.keep(item);
      if (!outOfOrder) text += this.render(item);
    }
    if (outOfOrder) this.rebuild();
    // One write per batch: the pane re-renders once per parsed write.
    else if (text) this.buffer.write(text);
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
    for (const item of this.kept) text += this.render(item);
    this.buffer.write(text);
  }

  private render(item: TranscriptItem): string {
    const ctx = { cols: this.buffer.cols, expandTools: this.expandTools };
    const text = 'message' in item ? messageText(item.message, ctx) : eventText(item.event, ctx);
    if (!text) return '';
    const ownLine = 'message' in item || item.event.kind !== 'output';
    const prefix = ownLine && !this.atLineStart ? '\n' : '';
    this.atLineStart = text.endsWith('\n');
    return prefix + text;
  }

  /** Keeps an item that happened before the last kept one, where it belongs. */
  private keepInPlace(item: TranscriptItem): void {
    const at = this.kept.findLastIndex((kept) => timeOf(kept) <= timeOf(item));
    this.kept.splice(at + 1, 0, item);
    this.keptChars += sizeOf(item);
    this.bound();
  }

  private keep(item: TranscriptItem): void {
    const size = sizeOf(item);
    if (size === 0) return;
    this.kept.push(item);
    this.keptChars += size;
    this.bound();
  }

  private bound(): void {
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
