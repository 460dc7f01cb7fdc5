import {
  isActiveStatus,
  isTerminalStatus,
  limits,
  type MessageAuthor,
  NexaError,
  newId,
  type Principal,
  type Task,
  type TaskAttempt,
  type TaskSpec,
  type TaskStatus,
  taskStatuses,
} from '@nexa/core';
import { and, asc, desc, eq, gt, inArray, isNull, lt, max, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { messages, taskAttempts, tasks, threads } from '../db/schema.js';
import type { Writer } from '../db/writeQueue.js';
import { rowsWithin } from './byteBudget.js';
import type { ListingKey } from './listingCursor.js';
import { attemptFromRow, type TaskRow, taskFromRow } from './taskRows.js';
import { authorColumns, titleOf } from './threadRows.js';

/** What a queued task asks of a worker; `labelsText` is the selector exactly as stored. */
export type TaskNeed = Pick<TaskRow, 'agent' | 'sandbox' | 'labels' | 'project'> & { labelsText: string };

export const activeStatuses = taskStatuses.filter(isActiveStatus);
/** Not finished yet: waiting to run, or running. */
export const openStatuses = taskStatuses.filter((status) => !isTerminalStatus(status));
export const terminalStatuses = taskStatuses.filter(isTerminalStatus);

/** What a row costs a listing: its large columns, as rowsWithinBudget measures them in SQL. */
function rowBytes(row: TaskRow): number {
  return (
    JSON.stringify(row.command).length +
    (row.prompt?.length ?? 0) +
    JSON.stringify(row.env).length +
    (row.policy ? JSON.stringify(row.policy).length : 0) +
    JSON.stringify(row.labels).length
  );
}

/** Who submits a task: the author of its thread's first message, and the task starting it, if any. */
export interface Submission {
  author: MessageAuthor;
  /** A sub-task's parent (the task whose token submitted it): the child joins its project. */
  parent?: TaskRow | undefined;
}

/** How to page a task listing: newest first, optionally one project's or one task's children. */
export interface TaskFilter {
  status?: TaskStatus | undefined;
  project?: string | undefined;
  /** Only tasks of these projects (a member's or viewer's); null or left out: every project. */
  projects?: readonly string[] | null | undefined;
  parentId?: string | undefined;
  limit: number;
  after?: ListingKey | undefined;
}

/** A task's own thread shows its prompt; a prompt longer than a message keeps its start. */
function firstMessageBody(prompt: string): string {
  const max = limits.conversation.messageChars;
  const marker = '\n\n[the prompt goes on; see nexa tasks show]';
  return prompt.length > max ? prompt.slice(0, max - marker.length) + marker : prompt;
}

/** Reads and writes task rows. Methods that write must be called inside the write queue. */
export class TaskService {
  constructor(private readonly database: Database) {}

  private get db() {
    return this.database.db;
  }

  /**
   * Queues a task and opens its own thread (id = the task's) in the same
   * write, with the prompt as the first message for an agent task. A
   * sub-task is checked against the depth and children limits in that write,
   * so concurrent spawns cannot pass them together.
   */
  async submit(spec: TaskSpec, principal: Principal, submission?: Submission): Promise<Task> {
    const parent = submission?.parent;
    const author: MessageAuthor = submission?.author ?? {
      kind: 'person',
      name: principal.subject,
      taskId: null,
      workerName: null,
    };
    const now = Date.now();
    const row: TaskRow = {
      id: newId('t'),
      agent: spec.agent,
      command: spec.command,
      prompt: spec.prompt,
      policy: spec.policy,
      approve: spec.approve,
      approvalTimeoutMs: spec.approvalTimeoutMs,
      env: spec.env,
      labels: spec.labels,
      priority: spec.priority,
      status: 'queued',
      attempt: 1,
      maxAttempts: spec.maxAttempts,
      timeoutMs: spec.timeoutMs,
      graceMs: spec.graceMs,
      repo: spec.repo,
      sandbox: spec.sandbox,
      image: spec.image,
      egress: spec.network,
      allowHosts: spec.allowHosts,
      secrets: spec.secrets,
      limits: spec.limits,
      cancelRequestedAt: null,
      workerId: null,
      leaseExpiresAt: null,
      exitCode: null,
      reason: null,
      project: parent?.project ?? spec.project,
      parentId: parent?.id ?? null,
      requiredWorkerId: null,
      continuePrompt: null,
      createdBy: principal.subject,
      createdAt: now,
      assignedAt: null,
      startedAt: null,
      finishedAt: null,
      lastLine: null,
      costUsd: null,
      changeSeq: 0, // the insert trigger gives it the next one
    };
    const prompt = row.prompt;
    await this.database.writes.run(async (writer) => {
      if (parent) await this.mayStartTask(writer, parent);
      const { db } = writer;
      await db.batch([
        db.insert(tasks).values(row),
        db.insert(threads).values({
          id: row.id,
          project: row.project,
          title: titleOf(prompt ?? row.command.join(' ')),
          taskId: row.id,
          createdBy: principal.subject,
          createdAt: now,
          lastMessageAt: now,
          messages: prompt ? 1 : 0,
        }),
        ...(prompt
          ? [
              db.insert(messages).values({
                id: newId('m'),
                threadId: row.id,
                project: row.project,
                seq: 1,
                ...authorColumns(author),
                kind: 'message' as const,
                body: firstMessageBody(prompt),
                replyTo: null,
                createdAt: now,
              }),
            ]
          : []),
      ]);
    });
    return taskFromRow(row, principal);
  }

  /** Refuses a task starting another beyond the depth or children limits (a person's task is depth 0). */
  private async mayStartTask(writer: Writer, parent: TaskRow): Promise<void> {
    const { depth: maxDepth, childrenPerTask } = limits.subtasks;
    let depth = 0;
    for (let at = parent.parentId; at !== null && depth <= maxDepth; depth++) {
      const [up] = await writer.db.select({ parentId: tasks.parentId }).from(tasks).where(eq(tasks.id, at));
      at = up?.parentId ?? null;
    }
    if (depth >= maxDepth) {
      throw new NexaError(
        'forbidden',
        `task ${parent.id} is at depth ${depth}, the limit: it may not start tasks`,
        { hint: 'do the work in this task, or ask a person to start it' },
      );
    }
    const [counted] = await writer.db
      .select({ children: sql<number>`count(*)` })
      .from(tasks)
      .where(eq(tasks.parentId, parent.id));
    if ((counted?.children ?? 0) >= childrenPerTask) {
      throw new NexaError(
        'forbidden',
        `task ${parent.id} has started ${childrenPerTask} tasks, the limit for one task`,
        { hint: 'wait for them and reuse their results, or ask a person to start more' },
      );
    }
  }

  /** The tasks a task started, oldest first. */
  children(parentId: string): Promise<TaskRow[]> {
    return this.db
      .select()
      .from(tasks)
      .where(eq(tasks.parentId, parentId))
      .orderBy(asc(tasks.createdAt), asc(tasks.id))
      .limit(limits.subtasks.childrenPerTask * 10);
  }

  /**
   * Every descendant of a task still waiting or running (children, their
   * children...): what cancelling it cancels too. Bounded by the sub-task limits.
   */
  async activeDescendants(taskId: string): Promise<TaskRow[]> {
    const found: TaskRow[] = [];
    let level = [taskId];
    for (let depth = 0; level.length > 0 && depth <= limits.subtasks.depth + 1; depth++) {
      const rows = await this.db.select().from(tasks).where(inArray(tasks.parentId, level));
      found.push(...rows.filter((row) => !isTerminalStatus(row.status)));
      level = rows.map((row) => row.id);
    }
    return found;
  }

  async row(id: string): Promise<TaskRow | undefined> {
    const [row] = await this.db.select().from(tasks).where(eq(tasks.id, id));
    return row;
  }

  async mustRow(id: string): Promise<TaskRow> {
    const row = await this.row(id);
    if (!row)
      throw new NexaError('not_found', `no task ${id}`, { hint: 'list tasks with `nexa tasks list`' });
    return row;
  }

  async attempts(id: string): Promise<TaskAttempt[]> {
    const rows = await this.db
      .select()
      .from(taskAttempts)
      .where(eq(taskAttempts.taskId, id))
      .orderBy(asc(taskAttempts.attempt));
    return rows.map(attemptFromRow);
  }

  /**
   * One page of tasks, newest first, after `after` (the last task of the page
   * before): keyset pagination on (created_at, id), served by the
   * tasks_listing and tasks_status_listing indexes, so a page costs the same
   * however many tasks are stored. Cut by the listing's byte budget like
   * every listing; `next` is null on the last page.
   */
  async listRows(filter: TaskFilter): Promise<{ rows: TaskRow[]; next: ListingKey | null }> {
    const { status, project, projects, parentId, after } = filter;
    const where = and(
      status ? eq(tasks.status, status) : undefined,
      project ? eq(tasks.project, project) : undefined,
      projects ? inArray(tasks.project, [...projects]) : undefined,
      parentId ? eq(tasks.parentId, parentId) : undefined,
      after ? sql`(${tasks.createdAt}, ${tasks.id}) < (${after.at}, ${after.id})` : undefined,
    );
    const { rows, more } = await this.pageWithinBudget(
      where,
      [desc(tasks.createdAt), desc(tasks.id)],
      filter.limit,
    );
    const last = rows.at(-1);
    return { rows, next: more && last ? { at: last.createdAt, id: last.id } : null };
  }

  /**
   * What a live task list starts from: every task not yet finished (newest
   * first) and the `finished` most recently finished, within the listing's
   * row and byte budgets.
   */
  async feedRows(finished: number, projects: readonly string[] | null = null): Promise<TaskRow[]> {
    const ofProjects = projects ? inArray(tasks.project, [...projects]) : undefined;
    const open = await this.rowsWithinBudget(
      and(inArray(tasks.status, openStatuses), ofProjects),
      [desc(tasks.createdAt), desc(tasks.id)],
      limits.listing.rows,
    );
    const left = limits.listing.rows - open.length;
    if (left <= 0) return open;
    const ended = await this.rowsWithinBudget(
      and(inArray(tasks.status, terminalStatuses), ofProjects),
      [desc(tasks.finishedAt)],
      Math.min(finished, left),
      limits.listing.bytes - open.reduce((total, row) => total + rowBytes(row), 0),
    );
    return [...open, ...ended];
  }

  /** The newest change_seq: where a live task list's snapshot stands. */
  async changeCursor(): Promise<number> {
    const [row] = await this.db.select({ last: max(tasks.changeSeq) }).from(tasks);
    return row?.last ?? 0;
  }

  /** Tasks changed after `cursor`, in change order, at most `limit` and the listing's byte budget. */
  changedSince(cursor: number, limit: number): Promise<TaskRow[]> {
    return this.rowsWithinBudget(gt(tasks.changeSeq, cursor), [asc(tasks.changeSeq)], limit);
  }

  /** How many tasks changed after `cursor`, counting no further than `atMost`. */
  async changesSince(cursor: number, atMost: number): Promise<number> {
    const rows = await this.db
      .select({ seq: tasks.changeSeq })
      .from(tasks)
      .where(gt(tasks.changeSeq, cursor))
      .orderBy(asc(tasks.changeSeq))
      .limit(atMost);
    return rows.length;
  }

  /**
   * The first `limit` rows in `order`, and only as many as fit the listing's
   * byte budget: the sizes of the large columns are read first, then only the
   * rows that fit.
   */
  private async rowsWithinBudget(
    where: SQL | undefined,
    order: SQL[],
    limit: number,
    budget: number = limits.listing.bytes,
  ): Promise<TaskRow[]> {
    return (await this.pageWithinBudget(where, order, limit, budget)).rows;
  }

  /**
   * rowsWithinBudget, and whether rows are left after it (one more size is
   * read to know). Sizes come from octet_length, which SQLite answers from
   * the record header without reading the values: a listing of tasks with
   * huge prompts reads only the ones it returns.
   */
  private async pageWithinBudget(
    where: SQL | undefined,
    order: SQL[],
    limit: number,
    budget: number = limits.listing.bytes,
  ): Promise<{ rows: TaskRow[]; more: boolean }> {
    const sized = await this.db
      .select({
        id: tasks.id,
        bytes: sql<number>`octet_length(${tasks.command}) + coalesce(octet_length(${tasks.prompt}), 0) + octet_length(${tasks.env}) + coalesce(octet_length(${tasks.policy}), 0) + octet_length(${tasks.labels})`,
      })
      .from(tasks)
      .where(where)
      .orderBy(...order)
      .limit(limit + 1);
    const fit = rowsWithin(
      sized.slice(0, limit).map((row) => row.bytes),
      budget,
    );
    const ids = sized.slice(0, fit).map((row) => row.id);
    if (ids.length === 0) return { rows: [], more: false };
    const rows = await this.db
      .select()
      .from(tasks)
      .where(inArray(tasks.id, ids))
      .orderBy(...order);
    return { rows, more: sized.length > fit };
  }

  /**
   * What the queued tasks need, one row per distinct need (agent, sandbox,
   * selector labels as stored). There are few of these however long the
   * queue is, so the scheduler can skip the needs no worker meets.
   */
  queuedNeeds(): Promise<TaskNeed[]> {
    return this.db
      .selectDistinct({
        project: tasks.project,
        agent: tasks.agent,
        sandbox: tasks.sandbox,
        labels: tasks.labels,
        labelsText: sql<string>`${tasks.labels}`.as('labels_text'),
      })
      .from(tasks)
      .where(eq(tasks.status, 'queued'));
  }

  /** Queued tasks with one need, in scheduling order: highest priority first, then oldest. */
  queued(need: TaskNeed, limit: number): Promise<TaskRow[]> {
    return this.db
      .select()
      .from(tasks)
      .where(
        and(
          eq(tasks.status, 'queued'),
          eq(tasks.project, need.project),
          eq(tasks.agent, need.agent),
          need.sandbox === null ? isNull(tasks.sandbox) : eq(tasks.sandbox, need.sandbox),
          sql`${tasks.labels} = ${need.labelsText}`,
        ),
      )
      .orderBy(desc(tasks.priority), tasks.createdAt, tasks.id)
      .limit(limit);
  }

  /** Tasks a worker holds (assigned, running or waiting). */
  activeOf(workerId: string): Promise<TaskRow[]> {
    return this.db
      .select()
      .from(tasks)
      .where(and(eq(tasks.workerId, workerId), inArray(tasks.status, activeStatuses)));
  }

  /** Active tasks whose stored lease ran out before `now`: only tasks no live session holds have one. */
  expired(now: number): Promise<TaskRow[]> {
    return this.db
      .select()
      .from(tasks)
      .where(and(inArray(tasks.status, activeStatuses), lt(tasks.leaseExpiresAt, now)));
  }

  /** How many tasks each worker holds right now. */
  async activeCountByWorker(): Promise<Map<string, number>> {
    const rows = await this.db
      .select({ workerId: tasks.workerId, count: sql<number>`count(*)` })
      .from(tasks)
      .where(inArray(tasks.status, activeStatuses))
      .groupBy(tasks.workerId);
    return new Map(rows.filter((r) => r.workerId !== null).map((r) => [r.workerId as string, r.count]));
  }

  /**
   * Hands a queued task to a worker and opens its attempt; false if it was
   * no longer queued. Its lease is kept in memory while the worker's session
   * lives (see LeaseBook), so the stored one is cleared.
   */
  async assign(writer: Writer, task: TaskRow, workerId: string): Promise<boolean> {
    const now = Date.now();
    const { db } = writer;
    const [result] = await db.batch([
      db
        .update(tasks)
        .set({ status: 'assigned', workerId, assignedAt: now, leaseExpiresAt: null })
        .where(and(eq(tasks.id, task.id), eq(tasks.status, 'queued'), eq(tasks.attempt, task.attempt))),
      db
        .insert(taskAttempts)
        .values({ taskId: task.id, attempt: task.attempt, workerId, status: 'running', assignedAt: now })
        .onConflictDoUpdate({
          target: [taskAttempts.taskId, taskAttempts.attempt],
          set: {
            workerId,
            status: 'running',
            assignedAt: now,
            finishedAt: null,
            exitCode: null,
            reason: null,
          },
        }),
    ]);
    return result.rowsAffected === 1;
  }

  /**
   * Stores the lease of every task a worker holds: its session ended, so
   * from now on the stored lease is the one that counts (null: a live session
   * holds them again, and the lease lives in memory).
   */
  storeLeases(writer: Writer, workerId: string, leaseExpiresAt: number | null) {
    return writer.db
      .update(tasks)
      .set({ leaseExpiresAt })
      .where(and(eq(tasks.workerId, workerId), inArray(tasks.status, activeStatuses)));
  }

  /** After a coordinator restart: give every held task one lease for its worker to reconnect. */
  renewAllLeases(writer: Writer, leaseExpiresAt: number) {
    return writer.db.update(tasks).set({ leaseExpiresAt }).where(inArray(tasks.status, activeStatuses));
  }

  requestCancel(writer: Writer, taskId: string, at: number) {
    return writer.db.update(tasks).set({ cancelRequestedAt: at }).where(eq(tasks.id, taskId));
  }
}
