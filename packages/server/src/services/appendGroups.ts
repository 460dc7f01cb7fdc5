import { isTerminalStatus, NexaError, type TaskEvent } from '@nexa/core';
import { inArray } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { tasks } from '../db/schema.js';
import type { Writer } from '../db/writeQueue.js';
import { groupFront } from './groupFront.js';
import type { AttemptRow, TaskRow } from './taskRows.js';
import { applyWorkerStatus } from './workerStatus.js';

export interface AppendBatch {
  taskId: string;
  attempt: number;
  events: TaskEvent[];
}

/** What a worker's append is checked against: who holds the task, and its state. */
export type TaskHolder = Pick<
  TaskRow,
  'id' | 'workerId' | 'attempt' | 'status' | 'cancelRequestedAt' | 'startedAt' | 'project' | 'secrets'
>;

/** A batch that passed its checks, with what it does to its task, ready to commit. */
export interface CheckedBatch {
  task: TaskHolder;
  attempt: number;
  events: TaskEvent[];
  taskUpdate?: Partial<TaskRow> | undefined;
  attemptUpdate?: Partial<AttemptRow> | undefined;
}

interface Pending {
  workerId: string;
  batch: AppendBatch;
  resolve: (result: { ackedSeq: number }) => void;
  reject: (error: unknown) => void;
}

export interface AppendStore {
  /** The last stored seq of a task (cached). */
  lastSeq(taskId: string): Promise<number>;
  /** Stores checked batches in one transaction, then tells live feeds and caches. */
  commit(writer: Writer, batches: CheckedBatch[]): Promise<void>;
  /** A task's events without the values of the secrets it names. */
  redact(task: TaskHolder, events: TaskEvent[]): Promise<TaskEvent[]>;
}

/** The most event rows one group commit stores: bounds how long a control write can wait behind it. */
const GROUP_ROWS = 4000;
/** And the most bytes of event bodies. */
const GROUP_BYTES = 8 * 1024 * 1024;

/**
 * Group commit of workers' appends. Appends from every worker and task wait
 * here while the write queue is busy, then go in together: one transaction,
 * multi-row inserts, each acknowledged after the commit that holds it. Under
 * load the groups grow, so throughput follows the database, not the number
 * of batches. A group runs in the write queue's bulk lane: submits,
 * assignments and decisions never wait behind more than the one group
 * committing.
 */
export class AppendGroups {
  private pending: Pending[] = [];
  private scheduled = false;
  /** Tasks with a status change waiting: see scheduleUrgent. */
  private readonly urgent = new Set<string>();
  private urgentScheduled = false;

  constructor(
    private readonly database: Database,
    private readonly store: AppendStore,
  ) {}

  add(workerId: string, batch: AppendBatch): Promise<{ ackedSeq: number }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ workerId, batch, resolve, reject });
      if (batch.events.some((event) => event.kind === 'status')) {
        this.urgent.add(batch.taskId);
        this.scheduleUrgent();
      }
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.pending.length === 0) return;
    this.scheduled = true;
    this.database.writes
      .run((writer) => {
        this.scheduled = false;
        return this.commit(writer, this.take());
      }, 'bulk')
      .catch(() => {
        // Each append was answered by commit; nothing is left to tell.
      })
      .finally(() => this.schedule());
  }

  /**
   * A batch that changes its task's status (it started, ended, waits for
   * approval) is what frees a slot or starts a clock: it goes in the control
   * lane, with whatever of its task waits before it, not behind the backlog.
   */
  private scheduleUrgent(): void {
    if (this.urgentScheduled) return;
    this.urgentScheduled = true;
    this.database.writes
      .run((writer) => {
        this.urgentScheduled = false;
        const tasks = new Set(this.urgent);
        this.urgent.clear();
        const group = this.pending.filter((pending) => tasks.has(pending.batch.taskId));
        this.pending = this.pending.filter((pending) => !tasks.has(pending.batch.taskId));
        return this.commit(writer, group);
      })
      .catch(() => {});
  }

  /** The oldest pending appends, up to a group's rows and bytes (at least one). */
  private take(): Pending[] {
    const count = groupFront(
      this.pending,
      ({ batch }) => ({
        rows: batch.events.length,
        bytes: batch.events.reduce((total, event) => total + approximateBytes(event), 0),
      }),
      GROUP_ROWS,
      GROUP_BYTES,
    );
    return this.pending.splice(0, count);
  }

  private async commit(writer: Writer, group: Pending[]): Promise<void> {
    if (group.length === 0) return;
    const unanswered = new Set(group);
    const accepted: Pending[] = [];
    const toStore: CheckedBatch[] = [];
    try {
      const holders = await this.holders(writer, group);
      const lastSeqs = new Map<string, number>();
      for (const pending of group) {
        try {
          const checked = await this.check(pending, holders, lastSeqs);
          if (checked && checked.events.length > 0) toStore.push(checked);
          accepted.push(pending);
        } catch (error) {
          unanswered.delete(pending);
          pending.reject(error);
        }
      }
      if (toStore.length > 0) await this.store.commit(writer, toStore);
    } catch (error) {
      // The transaction failed as a whole: nothing of the group was stored; every worker sends again.
      for (const pending of unanswered) pending.reject(error);
      return;
    }
    for (const pending of accepted) pending.resolve({ ackedSeq: pending.batch.events.at(-1)?.seq ?? 0 });
  }

  /** One read for the whole group: who holds each task now. */
  private async holders(writer: Writer, group: Pending[]): Promise<Map<string, TaskHolder>> {
    const ids = [...new Set(group.map((pending) => pending.batch.taskId))];
    const found = new Map<string, TaskHolder>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await writer.db
        .select({
          id: tasks.id,
          workerId: tasks.workerId,
          attempt: tasks.attempt,
          status: tasks.status,
          cancelRequestedAt: tasks.cancelRequestedAt,
          startedAt: tasks.startedAt,
          project: tasks.project,
          secrets: tasks.secrets,
        })
        .from(tasks)
        .where(inArray(tasks.id, ids.slice(i, i + 500)));
      for (const row of rows) found.set(row.id, row);
    }
    return found;
  }

  /**
   * Checks one batch against its task as the batches before it in the group
   * left it. Fenced: only the worker holding the task's current attempt may
   * write. Idempotent: a batch already stored is acknowledged again, a
   * batch overlapping what is stored keeps only what is new.
   */
  private async check(
    { workerId, batch }: Pending,
    holders: Map<string, TaskHolder>,
    lastSeqs: Map<string, number>,
  ): Promise<CheckedBatch | null> {
    const { taskId, attempt } = batch;
    const task = holders.get(taskId);
    if (!task) throw new NexaError('not_found', `no task ${taskId}`);
    const lastSeq = batch.events.at(-1)?.seq ?? 0;
    const stored = lastSeqs.get(taskId) ?? (await this.store.lastSeq(taskId));
    if (task.workerId !== workerId || task.attempt !== attempt) {
      throw new NexaError('conflict', `attempt ${attempt} of task ${taskId} is not held by this worker`);
    }
    if (isTerminalStatus(task.status)) {
      if (stored >= lastSeq) return null;
      throw new NexaError('conflict', `task ${taskId} has already ended (${task.status})`);
    }
    const first = batch.events[0]?.seq ?? 0;
    if (first > stored + 1) {
      // Never store a gap: the worker resends the missing batch first.
      throw new NexaError(
        'invalid_input',
        `task ${taskId}: events start at ${first}, expected ${stored + 1}`,
      );
    }
    const fresh = batch.events.filter((event) => event.seq > stored);
    const change = applyWorkerStatus(task, fresh);
    lastSeqs.set(taskId, Math.max(stored, lastSeq));
    if (change.task) holders.set(taskId, { ...task, ...change.task });
    // Only a task that names secrets pays for redaction; the rest append as they are.
    const events = task.secrets.length > 0 ? await this.store.redact(task, change.events) : change.events;
    return { task, attempt, events, taskUpdate: change.task, attemptUpdate: change.attempt };
  }
}

/**
 * About the size of an event's stored body, to bound a group before
 * serialising it: its text fields (output, a message, a tool's result, a
 * diff of up to 1 MiB) and, rarely, a tool call's input.
 */
function approximateBytes(event: TaskEvent): number {
  let bytes = 64;
  for (const value of Object.values(event)) {
    if (typeof value === 'string') bytes += value.length;
    else if (typeof value === 'object' && value !== null) bytes += JSON.stringify(value).length;
  }
  return bytes;
}
