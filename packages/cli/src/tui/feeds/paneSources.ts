import type { StoredTaskEvent, ThreadMessage } from '@nexa/core';
import { FrameBatcher } from '../frames/frameBatcher.js';
import { TaskTranscript, type TranscriptItem } from '../panes/taskTranscript.js';
import { TerminalBuffer } from '../panes/terminalBuffer.js';

/** What a pane draws from: the task's terminal and the transcript that writes into it. */
export interface PaneSource {
  taskId: string;
  buffer: TerminalBuffer;
  transcript: TaskTranscript;
}

/** Opens a task's event stream after the seq `afterSeq()` reads at (re)open time; returns the way to close it. */
export type TailEvents = (
  taskId: string,
  afterSeq: () => number,
  onEvent: (event: StoredTaskEvent) => void,
) => () => void;

/** Opens a thread's messages after the seq `afterSeq()` reads at (re)open time; returns the way to close it. */
export type WatchThread = (
  threadId: string,
  afterSeq: () => number,
  onMessage: (message: ThreadMessage) => void,
) => () => void;

interface Entry extends PaneSource {
  holders: number;
  batch: FrameBatcher<TranscriptItem>;
  close: () => void;
}

/**
 * The headless terminals of the panes on screen. A pane's terminal and its
 * event subscription exist only while a pane shows the task (visible or
 * pinned); they are made when the pane appears and dropped when it goes.
 * Events are written into the terminal once per frame, however many arrive.
 */
export class PaneSources {
  private readonly entries = new Map<string, Entry>();
  private expandTools = false;

  /** `watchThread`: the task's thread (its id is the task's), whose messages people wrote show inline. */
  constructor(
    private readonly tail: TailEvents | null,
    private readonly watchThread: WatchThread | null = null,
  ) {}

  get(taskId: string): PaneSource | undefined {
    return this.entries.get(taskId);
  }

  /** A pane for `taskId` appeared (or was resized) at `cols`×`rows` of output. */
  acquire(taskId: string, cols: number, rows: number): PaneSource {
    const existing = this.entries.get(taskId);
    if (existing) {
      existing.holders += 1;
      existing.buffer.resize(cols, rows);
      return existing;
    }
    const buffer = new TerminalBuffer({ cols, rows });
    const transcript = new TaskTranscript(buffer, { expandTools: this.expandTools });
    const batch = new FrameBatcher<TranscriptItem>((items) => transcript.appendItems(items));
    const entry: Entry = { taskId, buffer, transcript, holders: 1, batch, close: () => undefined };
    const closeEvents =
      this.tail?.(
        taskId,
        () => {
          batch.flushNow(); // what has arrived counts as shown before asking for what follows
          return transcript.lastSeq;
        },
        (event) => batch.push({ event }),
      ) ?? (() => undefined);
    const closeMessages =
      this.watchThread?.(
        taskId,
        () => {
          batch.flushNow();
          return transcript.lastMessageSeq;
        },
        (message) => batch.push({ message }),
      ) ?? (() => undefined);
    entry.close = () => {
      closeEvents();
      closeMessages();
    };
    this.entries.set(taskId, entry);
    return entry;
  }

  /** The pane for `taskId` went away: the last one to go closes the subscription and frees the terminal. */
  release(taskId: string): void {
    const entry = this.entries.get(taskId);
    if (!entry) return;
    entry.holders -= 1;
    if (entry.holders > 0) return;
    this.entries.delete(taskId);
    entry.close();
    entry.batch.dispose();
    entry.buffer.dispose();
  }

  setExpandTools(expand: boolean): void {
    this.expandTools = expand;
    for (const entry of this.entries.values()) entry.transcript.setExpandTools(expand);
  }

  /** How many terminals exist now (a test checks that hidden panes hold none). */
  get size(): number {
    return this.entries.size;
  }

  dispose(): void {
    for (const taskId of [...this.entries.keys()]) {
      const entry = this.entries.get(taskId);
      if (entry) entry.holders = 1;
      this.release(taskId);
    }
  }
}
