import {
  type Approval,
  isTerminalStatus,
  type PresenceEntry,
  type Task,
  type Thread,
  type ThreadMessage,
  type WorkerInfo,
} from '@nexa/core';
import { FINISHED_SHOWN, rowIds, selectedId } from './selectors.js';
import type { ConnectionStatus, Flash, Overlay, ThreadFocus, TuiState, ViewName } from './state.js';
import { scrolledBack, viewNames } from './state.js';
import { parseTaskFilter } from './taskFilter.js';
import { openThreadRows, selectedMessageId } from './threadSelectors.js';

/** Pins beyond this would make panes too small to read: 1, 2 or 4 panes fit a terminal. */
export const MAX_PINNED = 4;

export interface TaskActivity {
  id: string;
  lastLine: string | null;
  costUsd: number | null;
}

export type Action =
  | { type: 'connection'; status: ConnectionStatus; message?: string }
  | { type: 'tasksSnapshot'; tasks: readonly Task[] }
  | { type: 'tasksChanged'; tasks: readonly Task[] }
  | { type: 'tasksActivity'; activity: readonly TaskActivity[] }
  | { type: 'workers'; workers: readonly WorkerInfo[] }
  | { type: 'approvalsSnapshot'; approvals: readonly Approval[] }
  | { type: 'approvalsChanged'; approvals: readonly Approval[] }
  | { type: 'approvalAnswered'; id: string; approved: boolean }
  | { type: 'showView'; view: ViewName }
  | { type: 'nextView' }
  | { type: 'moveSelection'; by: number }
  | { type: 'selectEdge'; edge: 'first' | 'last' }
  | { type: 'select'; view: ViewName; id: string | null }
  | { type: 'togglePin' }
  | { type: 'toggleZoom' }
  | { type: 'toggleTools' }
  | { type: 'scroll'; taskId: string; by: number; max: number }
  | { type: 'scrollEdge'; taskId: string; edge: 'top' | 'bottom'; max: number }
  | { type: 'openOverlay'; overlay: Overlay }
  | { type: 'closeOverlay' }
  | { type: 'setFilter'; raw: string }
  | { type: 'flash'; flash: Flash | null }
  | { type: 'threadsSnapshot'; threads: readonly Thread[] }
  | { type: 'threadsChanged'; threads: readonly Thread[] }
  | { type: 'threadMessages'; threadId: string; messages: readonly ThreadMessage[] }
  | { type: 'forgetThread'; threadId: string }
  | { type: 'focusThread'; focus: ThreadFocus }
  | { type: 'presence'; entries: readonly PresenceEntry[] };

/** Messages kept per watched thread: the newest; `nexa thread show` has them all. */
export const MESSAGES_KEPT = 500;

/** Threads the list keeps: the most recently active; `nexa threads list` has the rest. */
export const THREADS_KEPT = 200;

/** Finished tasks kept in memory beyond the ones shown, so a long session does not grow without bound. */
const FINISHED_KEPT = FINISHED_SHOWN * 2;

function pruneFinished(tasks: Record<string, Task>): Record<string, Task> {
  const finished = Object.values(tasks).filter((task) => isTerminalStatus(task.status));
  if (finished.length <= FINISHED_KEPT) return tasks;
  finished.sort((a, b) => (b.finishedAt ?? b.createdAt).localeCompare(a.finishedAt ?? a.createdAt));
  const next = { ...tasks };
  for (const task of finished.slice(FINISHED_KEPT)) delete next[task.id];
  return next;
}

function byId<T extends { id: string }>(items: readonly T[]): Record<string, T> {
  return Object.fromEntries(items.map((item) => [item.id, item]));
}

/**
 * The cursor stays on a task, not a position: until the person moves it, it
 * holds the first task listed, so a task that arrives and sorts above it (one
 * now waiting for approval) does not take the cursor and the pane with it.
 */
function anchorTaskSelection(state: TuiState): TuiState {
  const current = state.selected.tasks;
  if (current && state.tasks[current]) return state;
  const first = rowIds(state, 'tasks')[0] ?? null;
  return first === current ? state : { ...state, selected: { ...state.selected, tasks: first } };
}

function movedMessage(state: TuiState, by: number): TuiState {
  const ids = openThreadRows(state).map((row) => row.message.id);
  if (ids.length === 0) return state;
  const current = selectedMessageId(state);
  const index = current ? ids.indexOf(current) : 0;
  return { ...state, selectedMessage: ids[Math.max(0, Math.min(ids.length - 1, index + by))] ?? null };
}

/** New messages in a thread, after the ones held, in seq order; a resumed watch may repeat the last ones. */
function withMessages(
  held: readonly ThreadMessage[],
  arrived: readonly ThreadMessage[],
): readonly ThreadMessage[] {
  const lastSeq = held.at(-1)?.seq ?? 0;
  const fresh = arrived.filter((message) => message.seq > lastSeq).sort((a, b) => a.seq - b.seq);
  if (fresh.length === 0) return held;
  const all = [...held, ...fresh];
  return all.length > MESSAGES_KEPT ? all.slice(-MESSAGES_KEPT) : all;
}

function pruneThreads(threads: Record<string, Thread>): Record<string, Thread> {
  const all = Object.values(threads);
  if (all.length <= THREADS_KEPT) return threads;
  const activity = (thread: Thread) => thread.lastMessageAt ?? thread.createdAt;
  all.sort((a, b) => activity(b).localeCompare(activity(a)));
  return byId(all.slice(0, THREADS_KEPT));
}

function moved(state: TuiState, by: number): TuiState {
  if (state.view === 'threads' && state.threadFocus === 'messages') return movedMessage(state, by);
  const ids = rowIds(state, state.view);
  if (ids.length === 0) return state;
  const current = selectedId(state);
  const index = current ? ids.indexOf(current) : 0;
  const next = ids[Math.max(0, Math.min(ids.length - 1, index + by))] ?? null;
  const moved = { ...state, selected: { ...state.selected, [state.view]: next } };
  // Another thread opens: its newest message is the one `R` answers until the person moves.
  return state.view === 'threads' && next !== current ? { ...moved, selectedMessage: null } : moved;
}

export function reducer(state: TuiState, action: Action): TuiState {
  switch (action.type) {
    case 'connection':
      return {
        ...state,
        connection: {
          ...state.connection,
          status: action.status,
          ...(action.message ? { message: action.message } : { message: undefined }),
        },
      };
    case 'tasksSnapshot':
      return anchorTaskSelection({ ...state, tasks: pruneFinished(byId(action.tasks)) });
    case 'tasksChanged':
      return anchorTaskSelection({
        ...state,
        tasks: pruneFinished({ ...state.tasks, ...byId(action.tasks) }),
      });
    case 'tasksActivity': {
      const tasks = { ...state.tasks };
      for (const { id, lastLine, costUsd } of action.activity) {
        const task = tasks[id];
        // A finished task's row already has its final line and cost; late activity must not undo them.
        if (task && !isTerminalStatus(task.status)) tasks[id] = { ...task, lastLine, costUsd };
      }
      return { ...state, tasks };
    }
    case 'workers':
      return { ...state, workers: action.workers };
    case 'approvalsSnapshot':
      return { ...state, approvals: byId(action.approvals) };
    case 'approvalsChanged':
      return { ...state, approvals: { ...state.approvals, ...byId(action.approvals) } };
    case 'approvalAnswered': {
      // The next request in the queue takes the cursor, so answering many is one key each.
      const queue = rowIds(state, 'approvals');
      const at = queue.indexOf(action.id);
      const next = queue[at + 1] ?? queue[at - 1] ?? null;
      const old = state.approvals[action.id];
      const approvals = old
        ? {
            ...state.approvals,
            [action.id]: { ...old, status: action.approved ? ('approved' as const) : ('denied' as const) },
          }
        : state.approvals;
      return { ...state, approvals, selected: { ...state.selected, approvals: next } };
    }
    case 'showView':
      return { ...state, view: action.view, zoomed: false, threadFocus: 'list' };
    case 'nextView': {
      const next = viewNames[(viewNames.indexOf(state.view) + 1) % viewNames.length] ?? 'tasks';
      return { ...state, view: next, zoomed: false, threadFocus: 'list' };
    }
    case 'moveSelection':
      return moved(state, action.by);
    case 'selectEdge':
      return moved(state, action.edge === 'first' ? -Infinity : Infinity);
    case 'select':
      return {
        ...state,
        selected: { ...state.selected, [action.view]: action.id },
        ...(action.view === 'threads' ? { selectedMessage: null } : {}),
      };
    case 'togglePin': {
      const id = selectedId(state, 'tasks');
      if (!id) return state;
      if (state.pinned.includes(id)) return { ...state, pinned: state.pinned.filter((p) => p !== id) };
      if (state.pinned.length >= MAX_PINNED) {
        return {
          ...state,
          flash: { tone: 'error', text: `at most ${MAX_PINNED} panes: unpin one first (p on a pinned task)` },
        };
      }
      return { ...state, pinned: [...state.pinned, id] };
    }
    case 'toggleZoom':
      return { ...state, zoomed: !state.zoomed };
    case 'toggleTools':
      return { ...state, expandTools: !state.expandTools };
    case 'scroll': {
      const current = scrolledBack(state.scrollBack[action.taskId], action.max);
      const back = Math.max(0, Math.min(action.max, current + action.by));
      return { ...state, scrollBack: { ...state.scrollBack, [action.taskId]: { back, base: action.max } } };
    }
    case 'scrollEdge': {
      const back = action.edge === 'top' ? action.max : 0;
      return { ...state, scrollBack: { ...state.scrollBack, [action.taskId]: { back, base: action.max } } };
    }
    case 'openOverlay':
      return { ...state, overlay: action.overlay, flash: null };
    case 'closeOverlay':
      return { ...state, overlay: null };
    case 'setFilter':
      return { ...state, filter: parseTaskFilter(action.raw) };
    case 'flash':
      return { ...state, flash: action.flash };
    case 'threadsSnapshot':
      return { ...state, threads: pruneThreads(byId(action.threads)) };
    case 'threadsChanged':
      return { ...state, threads: pruneThreads({ ...state.threads, ...byId(action.threads) }) };
    case 'threadMessages': {
      const held = state.threadMessages[action.threadId] ?? [];
      const messages = withMessages(held, action.messages);
      if (messages === held) return state;
      const last = messages.at(-1);
      const thread = state.threads[action.threadId];
      // The list is sorted by activity: a message moves its thread to the top without a new listing.
      const threads =
        thread && last && (thread.lastMessageAt ?? '') < last.createdAt
          ? {
              ...state.threads,
              [thread.id]: {
                ...thread,
                lastMessageAt: last.createdAt,
                messages: Math.max(thread.messages, last.seq),
              },
            }
          : state.threads;
      return { ...state, threads, threadMessages: { ...state.threadMessages, [action.threadId]: messages } };
    }
    case 'forgetThread': {
      if (!(action.threadId in state.threadMessages)) return state;
      const { [action.threadId]: _gone, ...threadMessages } = state.threadMessages;
      return { ...state, threadMessages };
    }
    case 'focusThread':
      return { ...state, threadFocus: action.focus, selectedMessage: null };
    case 'presence':
      return { ...state, presence: action.entries };
  }
}
