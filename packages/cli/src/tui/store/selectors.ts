import { type Approval, isTerminalStatus, type Task, type WorkerInfo } from '@nexa/core';
import type { TuiState, ViewName } from './state.js';
import { matchesFilter } from './taskFilter.js';
import { threadList } from './threadSelectors.js';

/** How many finished tasks the list keeps: the most recent; `nexa tasks list` has the rest. */
export const FINISHED_SHOWN = 50;

export interface TaskGroup {
  title: 'Needs you' | 'Running' | 'Queued' | 'Finished';
  tasks: Task[];
}

const byCreated = (a: Task, b: Task) => a.createdAt.localeCompare(b.createdAt);
const byFinishedDesc = (a: Task, b: Task) =>
  (b.finishedAt ?? b.createdAt).localeCompare(a.finishedAt ?? a.createdAt);

/**
 * Remembers the last answer for the same inputs: the state is immutable, so
 * the same objects mean the same answer, and one frame asks many times.
 */
function lastOf<Args extends object[], R>(compute: (...args: Args) => R): (...args: Args) => R {
  let lastArgs: Args | undefined;
  let last: R;
  return (...args) => {
    if (!lastArgs || args.some((arg, i) => arg !== lastArgs?.[i])) {
      last = compute(...args);
      lastArgs = args;
    }
    return last;
  };
}

const groupTasks = lastOf((tasks: TuiState['tasks'], filter: TuiState['filter']) =>
  computeGroups(tasks, filter),
);

/** The task list, grouped by what each task needs from the person, filtered. */
export function taskGroups(state: Pick<TuiState, 'tasks' | 'filter'>): TaskGroup[] {
  return groupTasks(state.tasks, state.filter);
}

function computeGroups(tasks: TuiState['tasks'], filter: TuiState['filter']): TaskGroup[] {
  const needsYou: Task[] = [];
  const running: Task[] = [];
  const queued: Task[] = [];
  const finished: Task[] = [];
  for (const task of Object.values(tasks)) {
    if (!matchesFilter(task, filter)) continue;
    if (task.status === 'waiting_approval') needsYou.push(task);
    else if (task.status === 'queued') queued.push(task);
    else if (isTerminalStatus(task.status)) finished.push(task);
    else running.push(task);
  }
  return [
    { title: 'Needs you' as const, tasks: needsYou.sort(byCreated) },
    { title: 'Running' as const, tasks: running.sort(byCreated) },
    { title: 'Queued' as const, tasks: queued.sort(byCreated) },
    { title: 'Finished' as const, tasks: finished.sort(byFinishedDesc).slice(0, FINISHED_SHOWN) },
  ];
}

const pendingOf = lastOf((approvals: TuiState['approvals']) =>
  Object.values(approvals)
    .filter((approval) => approval.status === 'pending')
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
);

/** Pending requests, oldest first: the order they should be answered in. */
export function pendingApprovals(state: Pick<TuiState, 'approvals'>): Approval[] {
  return pendingOf(state.approvals);
}

/** The rows of a view, in screen order: what the cursor moves over. */
export function rowIds(state: TuiState, view: ViewName): string[] {
  switch (view) {
    case 'tasks':
      return taskGroups(state).flatMap((group) => group.tasks.map((task) => task.id));
    case 'approvals':
      return pendingApprovals(state).map((approval) => approval.id);
    case 'workers':
      return state.workers.map((worker) => worker.id);
    case 'threads':
      return threadList(state).map((thread) => thread.id);
  }
}

/** The selected row, or the first one when nothing (or something gone) was selected. */
export function selectedId(state: TuiState, view: ViewName = state.view): string | null {
  const ids = rowIds(state, view);
  const chosen = state.selected[view];
  return chosen && ids.includes(chosen) ? chosen : (ids[0] ?? null);
}

export function selectedTask(state: TuiState): Task | undefined {
  const id = selectedId(state, 'tasks');
  return id ? state.tasks[id] : undefined;
}

export function selectedWorker(state: TuiState): WorkerInfo | undefined {
  const id = selectedId(state, 'workers');
  return state.workers.find((worker) => worker.id === id);
}

/** The tasks whose panes are on screen: the pinned ones, else the selected one. */
export function visiblePaneIds(state: TuiState): string[] {
  if (state.view !== 'tasks') return [];
  if (state.pinned.length > 0) return state.pinned.filter((id) => state.tasks[id]);
  const id = selectedId(state, 'tasks');
  return id ? [id] : [];
}

export interface Counts {
  pendingApprovals: number;
  running: number;
  queued: number;
}

/** Approval requests that are questions an agent asked (ask_human): answered with text, not allow/deny. */
export const isQuestion = (approval: Approval): boolean => approval.question === true;

export function counts(state: TuiState): Counts {
  let running = 0;
  let queued = 0;
  for (const task of Object.values(state.tasks)) {
    if (task.status === 'queued') queued += 1;
    else if (!isTerminalStatus(task.status)) running += 1;
  }
  return { pendingApprovals: pendingApprovals(state).length, running, queued };
}
