import { isTerminalStatus, NexaError, type TaskEvent, type TaskEventBody } from '@nexa/core';
import { and, asc, eq, gt, max } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { taskEvents, tasks } from '../db/schema.js';
import type { LiveFeed } from './liveFeed.js';
import { statusUpdate, type TaskService } from './tasks.js';

export interface AppendBatch {
  taskId: string;
  attempt: number;
  events: TaskEvent[];
}

type EventRow = typeof taskEvents.$inferSelect;

function eventFromRow(row: EventRow): TaskEvent {
  return { ...(JSON.parse(row.body) as TaskEventBody), seq: row.seq, at: row.at } as TaskEvent;
}

function rowFromEvent(taskId: string, attempt: number, event: TaskEvent): EventRow {
  const { seq, at, ...body } = event;
  return { taskId, seq, attempt, kind: body.kind, body: JSON.stringify(body), at };
}

export function isFinalEvent(event: TaskEvent): boolean {
  return event.kind === 'status' && isTerminalStatus(event.status);
}

/**
 * The append-only event log of every task: durable appends from workers,
 * paged reads, and tails that catch up from the database then follow live.
 */
export class EventLog {
  constructor(
    private readonly database: Database,
    private readonly tasks: TaskService,
    private readonly feed: LiveFeed,
    private readonly onTaskFinished: () => void,
  ) {}

  /**
   * Stores a worker's batch. Idempotent: events already stored are skipped,
   * so a batch retried after a lost ack changes nothing. Fenced: only the
   * worker holding the task's current attempt may write.
   */
  append(workerId: string, batch: AppendBatch): Promise<{ ackedSeq: number }> {
    const { taskId, attempt, events } = batch;
    const lastSeq = events.at(-1)?.seq ?? 0;
    return this.database.writes.run(async () => {
      const task = await this.tasks.row(taskId);
      if (!task) throw new NexaError('not_found', `no task ${taskId}`);
      if (task.workerId !== workerId || task.attempt !== attempt) {
        throw new NexaError('conflict', `attempt ${attempt} of task ${taskId} is not held by this worker`);
      }
      if (isTerminalStatus(task.status)) {
        if ((await this.lastSeq(taskId)) >= lastSeq) return { ackedSeq: lastSeq };
        throw new NexaError('conflict', `task ${taskId} has already ended (${task.status})`);
      }
      const update = statusUpdate(task, events);
      const insert = this.database.db
        .insert(taskEvents)
        .values(events.map((event) => rowFromEvent(taskId, attempt, event)))
        .onConflictDoNothing()
        .returning({ seq: taskEvents.seq });
      let inserted: { seq: number }[];
      if (update) {
        const setStatus = this.database.db.update(tasks).set(update).where(eq(tasks.id, taskId));
        [inserted] = await this.database.db.batch([insert, setStatus]);
      } else {
        inserted = await insert;
      }
      const fresh = new Set(inserted.map((row) => row.seq));
      this.feed.publish(
        taskId,
        events.filter((event) => fresh.has(event.seq)),
      );
      if (update?.finishedAt !== undefined) this.onTaskFinished();
      return { ackedSeq: lastSeq };
    });
  }

  async lastSeq(taskId: string): Promise<number> {
    const [row] = await this.database.db
      .select({ last: max(taskEvents.seq) })
      .from(taskEvents)
      .where(eq(taskEvents.taskId, taskId));
    return row?.last ?? 0;
  }

  async list(taskId: string, afterSeq: number, limit: number): Promise<TaskEvent[]> {
    const rows = await this.database.db
      .select()
      .from(taskEvents)
      .where(and(eq(taskEvents.taskId, taskId), gt(taskEvents.seq, afterSeq)))
      .orderBy(asc(taskEvents.seq))
      .limit(limit);
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
  ): AsyncGenerator<TaskEvent> {
    await this.tasks.get(taskId); // not_found before anything else
    let last = afterSeq;
    const pageSize = 1000;
    while (!signal?.aborted) {
      const live = this.feed.subscribe(taskId);
      const stop = () => live.close();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        for (;;) {
          const page = await this.list(taskId, last, pageSize);
          for (const event of page) {
            await waitForDrain();
            yield event;
            last = event.seq;
            if (isFinalEvent(event)) return;
          }
          if (page.length < pageSize) break;
        }
        for await (const event of live.queue) {
          if (event.seq <= last) continue;
          if (event.seq !== last + 1) break; // a gap: go back to the database
          await waitForDrain();
          yield event;
          last = event.seq;
          if (isFinalEvent(event)) return;
        }
      } finally {
        signal?.removeEventListener('abort', stop);
        live.close();
      }
    }
  }
}
