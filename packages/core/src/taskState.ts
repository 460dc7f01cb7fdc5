import { NexaError } from './errors.js';
import type { TaskStatus } from './schemas/task.js';

/**
 * The task lifecycle (DESIGN.md): queued → assigned → running →
 * (waiting_approval ↔ running) → succeeded | failed | cancelled | timed_out.
 * A task goes back to `queued` when its worker is lost or it is retried.
 */
const transitions: Record<TaskStatus, readonly TaskStatus[]> = {
  queued: ['assigned', 'cancelled', 'failed'],
  assigned: ['running', 'queued', 'succeeded', 'failed', 'cancelled', 'timed_out'],
  running: ['waiting_approval', 'queued', 'succeeded', 'failed', 'cancelled', 'timed_out'],
  waiting_approval: ['running', 'queued', 'succeeded', 'failed', 'cancelled', 'timed_out'],
  succeeded: [],
  failed: [],
  cancelled: [],
  timed_out: [],
};

const terminal = new Set<TaskStatus>(['succeeded', 'failed', 'cancelled', 'timed_out']);

export function isTerminalStatus(status: TaskStatus): boolean {
  return terminal.has(status);
}

/** Statuses in which a task holds a slot of its worker's capacity. */
export function isActiveStatus(status: TaskStatus): boolean {
  return status === 'assigned' || status === 'running' || status === 'waiting_approval';
}

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return transitions[from].includes(to);
}

export function assertTransition(taskId: string, from: TaskStatus, to: TaskStatus): void {
  if (!canTransition(from, to)) {
    throw new NexaError('conflict', `task ${taskId} cannot go from ${from} to ${to}`);
  }
}

/** A finished task can be queued again as a new attempt (`nexa retry`). */
export function canRetry(status: TaskStatus): boolean {
  return isTerminalStatus(status);
}
