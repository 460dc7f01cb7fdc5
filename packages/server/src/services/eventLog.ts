import type { InStatement, InValue } from '@libsql/client';
import {
  isActiveStatus,
  isTerminalStatus,
  limits,
  type StoredTaskEvent,
  type TaskEvent,
  type TaskEventBody,
  type TaskStatus,
} from '@nexa/core';
import { and, asc, desc, eq, gt, lte, max, sql } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { taskAttempts, taskEvents, tasks } from '../db/schema.js';
import type { Writer } from '../db/writeQueue.js';
import { type AppendBatch, AppendGroups, type AppendStore, type CheckedBatch } from './appendGroups.js';
import { rowsWithin } from './byteBudget.js';
import { eventFromRow, eventRow, insertEventRows } from './eventRows.js';
import type { LiveFeed } from './liveFeed.js';
import type { TaskActivityTracker } from './taskActivity.js';
import type { AttemptRow, TaskRow } from './taskRows.js';
import type { TaskSecrets, TaskWithSecrets } from './taskSecrets.js';
import type { TaskService } from './tasks.js';

export type { AppendBatch } from './appendGroups.js';

/** How many tasks' last seq the log remembers (oldest forgotten first). */
const LAST_SEQ_CACHE = 10_000;

export function isFinalEvent(event: TaskEvent): boolean {
  return event.kind === 'status' && isTerminalStatus(event.status);
}

/**
 * The append-only event log of every task: durable appends from workers and
 * from the coordinator itself, paged reads, and tails that catch up from the
 * database then follow live.
 */
export class EventLog implements AppendStore {
  private readonly lastSeqs = new Map<string, number>();
  private readonly groups: AppendGroups;
  /**
   * Told once a commit is done, outside it, how many bytes of each task's
   * events it stored (retention caps logs by it).
   */
  onStored: ((taskId: string, bytes: number) => void) | undefined;

  constructor(
    private readonly database: Database,
    private readonly tasks: TaskService,
    private readonly feed: LiveFeed,
    private readonly activity: TaskActivityTracker,
    /** A task left its worker: it ended, or went back to the queue. Runs after the commit. */
    private readonly onTaskReleased: (writer: Writer, taskId: string, status: TaskStatus) => void,
    /** The same, told before the commit: what trusts memory about the attempt must stop now. */
    private readonly onTaskReleasing: (taskId: string) => void,
    /** The values of the secrets tasks were given: never stored in their events. */
    private readonly taskSecrets: TaskSecrets,
  ) {
    this.groups = new AppendGroups(database, this);
  }

  /**
   * Stores a worker's batch, acknowledged once the transaction holding it has
   * committed (see AppendGroups: many workers' batches share one). Idempotent
   * and fenced: see AppendGroups.check.
   */
  append(workerId: string, batch: AppendBatch): Promise<{ ackedSeq: number }> {
    return this.groups.add(workerId, batch);
  }

  /**
   * Appends an event decided by the coordinator (requeued, cancelled, lost)
   * after the last stored one, with the task and attempt changes it implies,
   * in one transaction of the write operation that holds `writer`.
   */
  async appendFromCoordinator(
    writer: Writer,
    task: TaskRow,
    body: TaskEventBody,
    taskUpdate: Partial<TaskRow>,
    attemptUpdate?: Partial<AttemptRow>,
  ): Promise<void> {
    const event = { ...body, seq: (await this.lastSeq(task.id)) + 1, at: Date.now() } as TaskEvent;
    await this.commit(writer, [{ task, attempt: task.attempt, events: [event], taskUpdate, attemptUpdate }]);
  }

  /** A task's events without the values of the secrets it names (only such tasks come here). */
  redact(task: TaskWithSecrets, events: TaskEvent[]): Promise<TaskEvent[]> {
    return this.taskSecrets.redactEvents(task, events);
  }

  /**
   * Stores batches in one transaction: their events in multi-row inserts,
   * the task and attempt changes they carry beside them. Then, committed:
   * caches, the live feed, and released tasks.
   */
  async commit(writer: Writer, batches: CheckedBatch[]): Promise<void> {
    const { db } = writer;
    const updates: InStatement[] = [];
    for (const batch of batches) {
      const { task, attempt, attemptUpdate } = batch;
      if (batch.taskUpdate?.status !== undefined && isTerminalStatus(batch.taskUpdate.status)) {
        // The task's last line and cost leave memory for its row, in the same transaction as its end.
        this.activity.record(task.id, batch.events);
        const live = this.activity.of(task.id);
        if (live) batch.taskUpdate = { ...batch.taskUpdate, lastLine: live.lastLine, costUsd: live.costUsd };
      }
      if (batch.taskUpdate) {
        updates.push(statement(db.update(tasks).set(batch.taskUpdate).where(eq(tasks.id, task.id))));
        if (batch.taskUpdate.status !== undefined && !isActiveStatus(batch.taskUpdate.status))
          this.onTaskReleasing(task.id);
      }
      if (attemptUpdate) {
        const which = and(eq(taskAttempts.taskId, task.id), eq(taskAttempts.attempt, attempt));
        updates.push(statement(db.update(taskAttempts).set(attemptUpdate).where(which)));
      }
    }
    const rows = batches.flatMap((batch) =>
      batch.events.map((event) => eventRow(batch.task.id, batch.attempt, event)),
    );
    const inserts = insertEventRows(rows);
    await writer.client.batch([...inserts, ...updates], 'write');
    const onStored = this.onStored;
    if (onStored) {
      const bytes = new Map<string, number>();
      for (const row of rows) bytes.set(row.taskId, (bytes.get(row.taskId) ?? 0) + row.body.length);
      writer.afterward(() => {
        for (const [taskId, stored] of bytes) onStored(taskId, stored);
      });
    }
    for (const batch of batches) this.stored(writer, batch);
  }

  /** Every event of a checked batch is new: checks keep only those after the task's last stored seq. */
  private stored(writer: Writer, batch: CheckedBatch): void {
    const { task, attempt, events, taskUpdate } = batch;
    const newest = events.at(-1)?.seq;
    if (newest !== undefined) this.rememberLastSeq(task.id, newest);
    if (taskUpdate?.status !== undefined && isTerminalStatus(taskUpdate.status))
      this.activity.forget(task.id);
    else this.activity.record(task.id, events);
    this.feed.publishAll(
      task.id,
      events.map((event) => ({ ...event, attempt })),
    );
    if (taskUpdate?.status && !isActiveStatus(taskUpdate.status)) {
      this.onTaskReleased(writer, task.id, taskUpdate.status); // a slot is free, or a task is queued again
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

/** A drizzle statement as the raw client takes it, to share one transaction with raw inserts. */
function statement(query: { toSQL(): { sql: string; params: unknown[] } }): InStatement {
  const { sql: text, params } = query.toSQL();
  return { sql: text, args: params as InValue[] };
}
