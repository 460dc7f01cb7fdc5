import {
  isActiveStatus,
  isTerminalStatus,
  limits,
  NexaError,
  type StoredTaskEvent,
  type TaskEvent,
  type TaskEventBody,
  type TaskStatus,
} from '@nexa/core';
import { and, asc, desc, eq, gt, lte, max, sql } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { taskAttempts, taskEvents, tasks } from '../db/schema.js';
import { rowsWithin } from './byteBudget.js';
import type { LiveFeed } from './liveFeed.js';
import type { TaskActivityTracker } from './taskActivity.js';
import type { AttemptRow, TaskRow } from './taskRows.js';
import type { TaskService } from './tasks.js';
import { applyWorkerStatus } from './workerStatus.js';

export interface AppendBatch {
  taskId: string;
  attempt: number;
  events: TaskEvent[];
}

type EventRow = typeof taskEvents.$inferSelect;

/** How many tasks' last seq the log remembers (oldest forgotten first). */
const LAST_SEQ_CACHE = 10_000;

function eventFromRow(row: EventRow): StoredTaskEvent {
  return {
    ...(JSON.parse(row.body) as TaskEventBody),
    seq: row.seq,
    at: row.at,
    attempt: row.attempt,
  } as StoredTaskEvent;
}

function rowFromEvent(taskId: string, attempt: number, event: TaskEvent): EventRow {
  const { seq, at, ...body } = event;
  return { taskId, seq, attempt, kind: body.kind, body: JSON.stringify(body), at };
}

export function isFinalEvent(event: TaskEvent): boolean {
  return event.kind === 'status' && isTerminalStatus(event.status);
}

/**
 * The append-only event log of every task: durable appends from workers and
 * from the coordinator itself, paged reads, and tails that catch up from the
 * database then follow live.
 */
export class EventLog {
  private readonly lastSeqs = new Map<string, number>();

  constructor(
    private readonly database: Database,
    private readonly tasks: TaskService,
    private readonly feed: LiveFeed,
    private readonly activity: TaskActivityTracker,
    /** A task left its worker: it ended, or went back to the queue. */
    private readonly onTaskReleased: (taskId: string, status: TaskStatus) => void,
  ) {}

  /**
   * Stores a worker's batch. Idempotent: events already stored are skipped,
   * so a batch retried after a lost ack changes nothing. Fenced: only the
   * worker holding the task's current attempt may write; a worker that was
   * declared lost can never write into the attempt that replaced it.
   */
  append(workerId: string, batch: AppendBatch): Promise<{ ackedSeq: number }> {
    const { taskId, attempt } = batch;
    const lastSeq = batch.events.at(-1)?.seq ?? 0;
    return this.database.writes.run(async () => {
      const task = await this.tasks.mustRow(taskId);
      if (task.workerId !== workerId || task.attempt !== attempt) {
        throw new NexaError('conflict', `attempt ${attempt} of task ${taskId} is not held by this worker`);
      }
      if (isTerminalStatus(task.status)) {
        if ((await this.lastSeq(taskId)) >= lastSeq) return { ackedSeq: lastSeq };
        throw new NexaError('conflict', `task ${taskId} has already ended (${task.status})`);
      }
      const first = batch.events[0]?.seq ?? 0;
      const stored = await this.lastSeq(taskId);
      if (first > stored + 1) {
        // Never store a gap: the worker resends the missing batch first.
        throw new NexaError(
          'invalid_input',
          `task ${taskId}: events start at ${first}, expected ${stored + 1}`,
        );
      }
      const change = applyWorkerStatus(task, batch.events);
      await this.store(task, attempt, change.events, change.task, change.attempt);
      return { ackedSeq: lastSeq };
    });
  }

  /**
   * Appends an event decided by the coordinator (requeued, cancelled, lost)
   * after the last stored one, with the task and attempt changes it implies,
   * in one transaction. Must run inside the write queue.
   */
  async appendFromCoordinator(
    task: TaskRow,
    body: TaskEventBody,
    taskUpdate: Partial<TaskRow>,
    attemptUpdate?: Partial<AttemptRow>,
  ): Promise<void> {
    const event = { ...body, seq: (await this.lastSeq(task.id)) + 1, at: Date.now() } as TaskEvent;
    await this.store(task, task.attempt, [event], taskUpdate, attemptUpdate);
  }

  private async store(
    task: TaskRow,
    attempt: number,
    events: TaskEvent[],
    taskUpdate: Partial<TaskRow> | undefined,
    attemptUpdate: Partial<AttemptRow> | undefined,
  ): Promise<void> {
    const { db } = this.database;
    const ends = taskUpdate?.status !== undefined && isTerminalStatus(taskUpdate.status);
    if (ends) {
      // The task's last line and cost leave memory for its row, in the same transaction as its end.
      this.activity.record(task.id, events);
      const live = this.activity.of(task.id);
      if (live) taskUpdate = { ...taskUpdate, lastLine: live.lastLine, costUsd: live.costUsd };
    }
    const insert = db
      .insert(taskEvents)
      .values(events.map((event) => rowFromEvent(task.id, attempt, event)))
      .onConflictDoNothing()
      .returning({ seq: taskEvents.seq });
    const updates = [
      ...(taskUpdate ? [db.update(tasks).set(taskUpdate).where(eq(tasks.id, task.id))] : []),
      ...(attemptUpdate
        ? [
            db
              .update(taskAttempts)
              .set(attemptUpdate)
              .where(and(eq(taskAttempts.taskId, task.id), eq(taskAttempts.attempt, attempt))),
          ]
        : []),
    ];
    const [inserted] = updates.length > 0 ? await db.batch([insert, ...updates]) : [await insert];
    const fresh = new Set(inserted.map((row) => row.seq));
    const newest = events.at(-1)?.seq;
    if (newest !== undefined) this.rememberLastSeq(task.id, newest);
    const stored = events.filter((event) => fresh.has(event.seq));
    if (ends) this.activity.forget(task.id);
    else this.activity.record(task.id, stored);
    this.feed.publish(
      task.id,
      stored.map((event) => ({ ...event, attempt })),
    );
    if (taskUpdate?.status && !isActiveStatus(taskUpdate.status)) {
      this.onTaskReleased(task.id, taskUpdate.status); // a slot is free, or a task is queued again
    }
  }

  /** A final status ends a tail only if no later attempt (a retry) has begun since. */
  private async endsTask(taskId: string, event: StoredTaskEvent): Promise<boolean> {
    if (!isFinalEvent(event)) return false;
    const task = await this.tasks.row(taskId);
    return task === undefined || (task.attempt === event.attempt && isTerminalStatus(task.status));
  }

  /**
   * The last stored seq of a task. Only this process writes events, so it is
   * remembered after the first read; `store` keeps it current.
   */
  async lastSeq(taskId: string): Promise<number> {
    const known = this.lastSeqs.get(taskId);
    if (known !== undefined) return known;
    const [row] = await this.database.db
      .select({ last: max(taskEvents.seq) })
      .from(taskEvents)
      .where(eq(taskEvents.taskId, taskId));
    const last = row?.last ?? 0;
    this.rememberLastSeq(taskId, last);
    return last;
  }

  private rememberLastSeq(taskId: string, seq: number): void {
    if (this.lastSeqs.size >= LAST_SEQ_CACHE)
      this.lastSeqs.delete(this.lastSeqs.keys().next().value as string);
    this.lastSeqs.set(taskId, Math.max(seq, this.lastSeqs.get(taskId) ?? 0));
  }

  /** The newest event of a kind (e.g. the task's latest artifact), if any. */
  async latest(taskId: string, kind: TaskEventBody['kind']): Promise<StoredTaskEvent | undefined> {
    const [row] = await this.database.db
      .select()
      .from(taskEvents)
      .where(and(eq(taskEvents.taskId, taskId), eq(taskEvents.kind, kind)))
      .orderBy(desc(taskEvents.seq))
      .limit(1);
    return row ? eventFromRow(row) : undefined;
  }

  /**
   * One page after `afterSeq`: at most `limit` events and about `maxBytes` of
   * stored JSON (at least one event, however big). Sizes are read first, so
   * a log of large events never loads more than one page into memory.
   */
  async list(
    taskId: string,
    afterSeq: number,
    limit: number,
    maxBytes: number = limits.listing.eventPageBytes,
  ): Promise<StoredTaskEvent[]> {
    const after = and(eq(taskEvents.taskId, taskId), gt(taskEvents.seq, afterSeq));
    const sizes = await this.database.db
      .select({ seq: taskEvents.seq, bytes: sql<number>`length(${taskEvents.body})` })
      .from(taskEvents)
      .where(after)
      .orderBy(asc(taskEvents.seq))
      .limit(limit);
    const last =
      sizes[
        rowsWithin(
          sizes.map((row) => row.bytes),
          maxBytes,
        ) - 1
      ];
    if (!last) return [];
    const lastSeq = last.seq;
    const rows = await this.database.db
      .select()
      .from(taskEvents)
      .where(and(after, lte(taskEvents.seq, lastSeq)))
      .orderBy(asc(taskEvents.seq));
    return rows.map(eventFromRow);
  }

  /**
   * Every event after `afterSeq`, in order, exactly once, until the task's
   * final status event. Subscribes to the live feed before reading the
   * database so nothing committed in between is missed; a reader that falls
   * too far behind is dropped from the feed and catches up from the database.
   */
  async *tail(
    taskId: string,
    afterSeq: number,
    signal: AbortSignal | undefined,
    waitForDrain: () => Promise<void> = async () => {},
  ): AsyncGenerator<StoredTaskEvent> {
    await this.tasks.mustRow(taskId); // not_found before anything else
    let last = afterSeq;
    const pageSize = 1000;
    while (!signal?.aborted) {
      const live = this.feed.subscribe(taskId);
      const stop = () => live.close();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        for (;;) {
          // Before loading a page, not only before sending it: a paused reader holds no page.
          await waitForDrain();
          const page = await this.list(taskId, last, pageSize);
          for (const event of page) {
            await waitForDrain();
            yield event;
            last = event.seq;
            if (await this.endsTask(taskId, event)) return;
          }
          if (page.length === 0) break;
        }
        for await (const event of live.queue) {
          if (event.seq <= last) continue;
          if (event.seq !== last + 1) break; // a gap: go back to the database
          await waitForDrain();
          yield event;
          last = event.seq;
          if (await this.endsTask(taskId, event)) return;
        }
      } finally {
        signal?.removeEventListener('abort', stop);
        live.close();
      }
    }
  }
}
