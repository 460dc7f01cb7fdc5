import {
  canTransition,
  isActiveStatus,
  NexaError,
  newId,
  type Principal,
  type Task,
  type TaskEvent,
  type TaskSpec,
  type TaskStatus,
  taskStatuses,
} from '@nexa/core';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { tasks } from '../db/schema.js';
import { type TaskRow, taskFromRow } from './taskRows.js';

const activeStatuses = taskStatuses.filter(isActiveStatus);

/** Reads and writes task rows. Status changes made by events go through `statusUpdate`. */
export class TaskService {
  constructor(private readonly database: Database) {}

  private get db() {
    return this.database.db;
  }

  async submit(spec: TaskSpec, principal: Principal): Promise<Task> {
    const row: TaskRow = {
      id: newId('t'),
      agent: spec.agent,
      command: spec.command,
      env: spec.env,
      labels: spec.labels,
      priority: spec.priority,
      status: 'queued',
      attempt: 1,
      maxAttempts: spec.maxAttempts,
      workerId: null,
      leaseExpiresAt: null,
      exitCode: null,
      reason: null,
      parentId: null,
      createdBy: principal.subject,
      createdAt: Date.now(),
      assignedAt: null,
      startedAt: null,
      finishedAt: null,
    };
    await this.database.writes.run(() => this.db.insert(tasks).values(row));
    return taskFromRow(row);
  }

  async row(id: string): Promise<TaskRow | undefined> {
    const [row] = await this.db.select().from(tasks).where(eq(tasks.id, id));
    return row;
  }

  async get(id: string): Promise<Task> {
    const row = await this.row(id);
    if (!row) {
      throw new NexaError('not_found', `no task ${id}`, { hint: 'list tasks with `nexa tasks list`' });
    }
    return taskFromRow(row);
  }

  async list(filter: { status?: TaskStatus | undefined; limit: number }): Promise<Task[]> {
    const rows = await this.db
      .select()
      .from(tasks)
      .where(filter.status ? eq(tasks.status, filter.status) : undefined)
      .orderBy(desc(tasks.createdAt), desc(tasks.id))
      .limit(filter.limit);
    return rows.map(taskFromRow);
  }

  /** Queued tasks in scheduling order: highest priority first, then oldest. */
  queued(limit: number): Promise<TaskRow[]> {
    return this.db
      .select()
      .from(tasks)
      .where(eq(tasks.status, 'queued'))
      .orderBy(desc(tasks.priority), tasks.createdAt, tasks.id)
      .limit(limit);
  }

  /** How many tasks each worker holds right now (assigned, running or waiting). */
  async activeCountByWorker(): Promise<Map<string, number>> {
    const rows = await this.db
      .select({ workerId: tasks.workerId, count: sql<number>`count(*)` })
      .from(tasks)
      .where(inArray(tasks.status, activeStatuses))
      .groupBy(tasks.workerId);
    return new Map(rows.filter((r) => r.workerId !== null).map((r) => [r.workerId as string, r.count]));
  }

  /** Hands a queued task to a worker; false if it was no longer queued. Call inside the write queue. */
  async assign(taskId: string, workerId: string, leaseExpiresAt: number): Promise<boolean> {
    const result = await this.db
      .update(tasks)
      .set({ status: 'assigned', workerId, assignedAt: Date.now(), leaseExpiresAt })
      .where(and(eq(tasks.id, taskId), eq(tasks.status, 'queued')));
    return result.rowsAffected === 1;
  }
}

/**
 * The task-row change implied by the status events of one batch, applied in
 * order through the state machine; undefined when the batch has none.
 */
export function statusUpdate(task: TaskRow, events: readonly TaskEvent[]): Partial<TaskRow> | undefined {
  let status = task.status;
  let update: Partial<TaskRow> | undefined;
  for (const event of events) {
    if (event.kind !== 'status' || event.status === status) continue;
    if (!canTransition(status, event.status)) {
      throw new NexaError('conflict', `task ${task.id} cannot go from ${status} to ${event.status}`);
    }
    status = event.status;
    update = { ...update, status };
    if (status === 'running') update.startedAt ??= event.at;
    if (event.exitCode !== undefined) update.exitCode = event.exitCode;
    if (event.reason !== undefined) update.reason = event.reason;
    if (!isActiveStatus(status) && status !== 'queued') {
      update.finishedAt = event.at;
      update.leaseExpiresAt = null;
    }
  }
  return update;
}
