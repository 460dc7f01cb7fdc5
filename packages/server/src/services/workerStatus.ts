import { canTransition, isTerminalStatus, NexaError, type TaskEvent } from '@nexa/core';
import type { AttemptRow, TaskRow } from './taskRows.js';

export interface WorkerStatusChange {
  /** The events to store: a final status is rewritten to `cancelled` once a cancel was asked for. */
  events: TaskEvent[];
  task?: Partial<TaskRow>;
  attempt?: Partial<AttemptRow>;
}

/**
 * What the status events in one worker batch do to the task and its attempt,
 * applied in order through the state machine. A task someone asked to cancel
 * ends `cancelled`, whatever the agent reported.
 */
export function applyWorkerStatus(
  task: Pick<TaskRow, 'id' | 'status' | 'cancelRequestedAt' | 'startedAt'>,
  events: TaskEvent[],
): WorkerStatusChange {
  let status = task.status;
  const change: WorkerStatusChange = { events };
  for (const [index, original] of events.entries()) {
    if (original.kind !== 'status' || original.status === status) continue;
    let event = original;
    if (task.cancelRequestedAt !== null && isTerminalStatus(event.status) && event.status !== 'cancelled') {
      event = { ...event, status: 'cancelled', reason: event.reason ?? 'cancelled' };
      change.events = change.events === events ? [...events] : change.events;
      change.events[index] = event;
    }
    if (!canTransition(status, event.status)) {
      throw new NexaError('conflict', `task ${task.id} cannot go from ${status} to ${event.status}`);
    }
    status = event.status;
    change.task = { ...change.task, status };
    if (status === 'running') change.task.startedAt ??= task.startedAt ?? event.at;
    if (isTerminalStatus(status)) {
      const exitCode = event.exitCode ?? null;
      const reason = event.reason ?? null;
      Object.assign(change.task, { exitCode, reason, finishedAt: event.at, leaseExpiresAt: null });
      change.attempt = { status: status as AttemptRow['status'], exitCode, reason, finishedAt: event.at };
    }
  }
  return change;
}
