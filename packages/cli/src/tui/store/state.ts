import type { Approval, PresenceEntry, Task, Thread, ThreadMessage, WorkerInfo } from '@nexa/core';
import type { TaskFilter } from './taskFilter.js';

/** The views Tab and the number keys switch between, in their order on screen. */
export const viewNames = ['tasks', 'approvals', 'workers', 'threads'] as const;
export type ViewName = (typeof viewNames)[number];

/** What the status bar says about the link to the coordinator. */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'refused';
export interface Connection {
  status: ConnectionStatus;
  server: string;
  /** Why it was refused, and what to do. */
  message?: string;
}

/** A modal layer over the view; while one is open it receives the keys. */
export type Overlay =
  | { kind: 'help' }
  | { kind: 'confirm'; question: string; action: ConfirmedAction }
  | { kind: 'denyReason'; approvalId: string }
  | { kind: 'filter' }
  | { kind: 'newTask' }
  | { kind: 'diff'; taskId: string }
  | { kind: 'compose'; compose: Compose }
  | { kind: 'answer'; approvalId: string };

/**
 * A message being typed: `R` replies to a message of a thread, `n` says
 * something new in it, `m` sends a follow-up to a task's agent (its thread).
 */
export type Compose =
  | { purpose: 'reply'; threadId: string; replyTo: string }
  | { purpose: 'say'; threadId: string }
  | { purpose: 'followUp'; threadId: string };

/** In the Threads view the cursor is on the thread list, or (Enter) on the open thread's messages. */
export type ThreadFocus = 'list' | 'messages';

export type ConfirmedAction = { type: 'cancelTask'; taskId: string } | { type: 'quit' };

/**
 * A pane scrolled back: `back` rows up from the bottom when the buffer had
 * `base` rows of scrollback. Output that arrives later grows the scrollback;
 * the view stays on the same lines by adding that growth (see scrolledBack).
 */
export interface PaneScroll {
  back: number;
  base: number;
}

/** Rows up from the bottom a pane shows now, given its buffer's scrollback; 0 follows. */
export function scrolledBack(scroll: PaneScroll | undefined, maxScrollBack: number): number {
  if (!scroll || scroll.back === 0) return 0;
  return Math.min(maxScrollBack, scroll.back + Math.max(0, maxScrollBack - scroll.base));
}

/** A one-line answer to the last action, shown above the status bar until the next key. */
export interface Flash {
  text: string;
  tone: 'info' | 'error';
}

export interface TuiState {
  connection: Connection;
  view: ViewName;
  overlay: Overlay | null;
  /** Every task the feed has told us about, by id. */
  tasks: Readonly<Record<string, Task>>;
  workers: readonly WorkerInfo[];
  /** Approval requests by id; decided ones stay until the next refresh so a row does not vanish under the cursor. */
  approvals: Readonly<Record<string, Approval>>;
  /** The selected row of each view, by id, so new rows do not move the cursor. */
  selected: Readonly<Record<ViewName, string | null>>;
  /** Tasks pinned to panes (`p`), at most 4, in the order pinned. */
  pinned: readonly string[];
  /** The panes fill the screen (Enter). */
  zoomed: boolean;
  /** Tool calls in panes shown in full rather than one line each. */
  expandTools: boolean;
  /** Where each pane is scrolled to; absent means following the output. */
  scrollBack: Readonly<Record<string, PaneScroll>>;
  filter: TaskFilter;
  /** The project's threads by id (the list is sorted newest activity first). */
  threads: Readonly<Record<string, Thread>>;
  /** Messages of the threads being watched (the open one, the tasks on screen), by thread, in seq order, bounded. */
  threadMessages: Readonly<Record<string, readonly ThreadMessage[]>>;
  threadFocus: ThreadFocus;
  /** The message `R` replies to, in the open thread. */
  selectedMessage: string | null;
  /** Who is on line: people, workers, running agents (`nexa who`). */
  presence: readonly PresenceEntry[];
  flash: Flash | null;
  /** Running inside `nexa up`: quitting stops the coordinator and worker too. */
  embedded: boolean;
}

export const initialState = (server: string, embedded = false): TuiState => ({
  connection: { status: 'connecting', server },
  view: 'tasks',
  overlay: null,
  tasks: {},
  workers: [],
  approvals: {},
  selected: { tasks: null, approvals: null, workers: null, threads: null },
  pinned: [],
  zoomed: false,
  expandTools: false,
  scrollBack: {},
  filter: { text: '', raw: '' },
  threads: {},
  threadMessages: {},
  threadFocus: 'list',
  selectedMessage: null,
  presence: [],
  flash: null,
  embedded,
});
