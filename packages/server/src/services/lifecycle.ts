import { canRetry, isTerminalStatus, NexaError } from '@nexa/core';
import type { Writer } from '../db/writeQueue.js';
import type { EventLog } from './eventLog.js';
import type { AttemptRow, TaskRow } from './taskRows.js';

/**
 * The task transitions the coordinator decides on its own: a lost worker's
 * attempt, cancelling, handing back, retrying. Each appends a status event at
 * the next seq together with the task and attempt changes, so the log always
 * says what happened. Every method takes the Writer of the write operation it is part of.
 */
export class TaskLifecycle {
  constructor(private readonly events: EventLog) {}

  /**
   * The attempt's worker is gone: run the task again while attempts remain,
   * else fail it with reason `worker_lost` (or end it `cancelled` if a cancel
   * was asked for).
   */
  async attemptLost(writer: Writer, task: TaskRow, why: string): Promise<void> {
    if (task.cancelRequestedAt !== null) {
      await this.end(writer, task, 'cancelled', `cancelled (and ${why})`, 'lost');
    } else if (task.attempt < task.maxAttempts) {
      await this.requeue(writer, task, 'lost', why);
    } else {
      await this.end(writer, task, 'failed', 'worker_lost', 'lost', why);
    }
  }

  /** A shutting-down worker gave the attempt back: run it again without using up a retry. */
  async handBack(writer: Writer, task: TaskRow): Promise<void> {
    await this.requeue(writer, task, 'handed_back', 'handed back by its worker', {
      maxAttempts: task.maxAttempts + 1,
    });
  }

  /** Ends a task that is not running anywhere (queued, or its worker is gone). */
  async end(
    writer: Writer,
    task: TaskRow,
    status: 'failed' | 'cancelled',
    reason: string,
    attemptStatus?: AttemptRow['status'],
    attemptReason = reason,
  ): Promise<void> {
    const now = Date.now();
    await this.events.appendFromCoordinator(
      writer,
      task,
      { kind: 'status', status, exitCode: null, reason },
      { status, reason, exitCode: null, finishedAt: now, leaseExpiresAt: null },
      attemptStatus ? { status: attemptStatus, reason: attemptReason, finishedAt: now } : undefined,
    );
  }

  /** Queues a finished task again as a new attempt (`nexa retry`). */
  async retry(writer: Writer, task: TaskRow): Promise<void> {
    if (!canRetry(task.status)) {
      throw new NexaError(
        'conflict',
        `task ${task.id} is ${task.status}; only a finished task can be retried`,
        {
          hint: `cancel it first with \`nexa cancel ${task.id}\``,
        },
      );
    }
    // A retry starts afresh, anywhere: not the continuation of a session.
    await this.queueNextAttempt(writer, task, 'retried', { requiredWorkerId: null, continuePrompt: null });
  }

  /**
   * Queues a finished agent task again to resume its session with `prompt`
   * (`nexa continue`), pinned to the worker that holds its working copy.
   */
  async continueOn(writer: Writer, task: TaskRow, workerId: string, prompt: string): Promise<void> {
    await this.queueNextAttempt(writer, task, 'continued', {
      requiredWorkerId: workerId,
      continuePrompt: prompt,
    });
  }

  /** A finished task queued again as its next attempt, whose output and cost are its own. */
  private async queueNextAttempt(
    writer: Writer,
    task: TaskRow,
    reason: 'retried' | 'continued',
    session: { requiredWorkerId: string | null; continuePrompt: string | null },
  ): Promise<void> {
    const attempt = task.attempt + 1;
    await this.events.appendFromCoordinator(
      writer,
      task,
      { kind: 'status', status: 'queued', reason },
      {
        status: 'queued',
        attempt,
        maxAttempts: Math.max(task.maxAttempts, attempt),
        workerId: null,
        leaseExpiresAt: null,
        exitCode: null,
        reason: null,
        startedAt: null,
        finishedAt: null,
        cancelRequestedAt: null,
        lastLine: null,
        costUsd: null,
        ...session,
      },
    );
  }

  private async requeue(
    writer: Writer,
    task: TaskRow,
    attemptStatus: AttemptRow['status'],
    why: string,
    extra: Partial<TaskRow> = {},
  ): Promise<void> {
    if (isTerminalStatus(task.status)) return;
    const now = Date.now();
    await this.events.appendFromCoordinator(
      writer,
      task,
      { kind: 'status', status: 'queued', reason: `attempt ${task.attempt} ${why}` },
      {
        status: 'queued',
        attempt: task.attempt + 1,
        workerId: null,
        leaseExpiresAt: null,
        assignedAt: null,
        ...extra,
      },
      { status: attemptStatus, reason: why, finishedAt: now },
    );
  }
}
