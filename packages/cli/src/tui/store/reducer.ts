import { type Approval, isTerminalStatus, type Task, type WorkerInfo } from '@nexa/core';
import { FINISHED_SHOWN, rowIds, selectedId } from './selectors.js';
import type { ConnectionStatus, Flash, Overlay, TuiState, ViewName } from './state.js';
import { scrolledBack, viewNames } from './state.js';
import { parseTaskFilter } from './taskFilter.js';

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
  | { type: 'flash'; flash: Flash | null };

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

function moved(state: TuiState, by: number): TuiState {
  const ids = rowIds(state, state.view);
  if (ids.length === 0) return state;
  const current = selectedId(state);
  const index = current ? ids.indexOf(current) : 0;
  const next = ids[Math.max(0, Math.min(ids.length - 1, index + by))] ?? null;
  return { ...state, selected: { ...state.selected, [state.view]: next } };
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
      return { ...state, view: action.view, zoomed: false };
    case 'nextView': {
      const next = viewNames[(viewNames.indexOf(state.view) + 1) % viewNames.length] ?? 'tasks';
      return { ...state, view: next, zoomed: false };
    }
    case 'moveSelection':
      return moved(state, action.by);
    case 'selectEdge':
      return moved(state, action.edge === 'first' ? -Infinity : Infinity);
    case 'select':
      return { ...state, selected: { ...state.selected, [action.view]: action.id } };
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
  }
}
