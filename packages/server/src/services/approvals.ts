import {
  type Approval,
  ApprovalAction,
  type ApprovalDecision,
  AsyncQueue,
  evaluatePolicy,
  formatDuration,
  isActiveStatus,
  limits,
  type MessageAuthor,
  NexaError,
  newId,
  type PolicyLayer,
  type PolicyRule,
  type ThreadMessage,
} from '@nexa/core';
import { and, asc, desc, eq, inArray, lte, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/open.js';
import { approvals, tasks } from '../db/schema.js';
import type { Writer } from '../db/writeQueue.js';
import { rowsWithin } from './byteBudget.js';
import type { PolicyStore } from './policies.js';
import { iso, type TaskRow } from './taskRows.js';
import type { TaskService } from './tasks.js';
import type { ThreadService } from './threads.js';
import type { WorkerHub } from './workerHub.js';

type ApprovalRow = typeof approvals.$inferSelect;

/**
 * The key of an `ask_human` question: its request message's id behind this
 * prefix. Workers may not use it, so only the coordinator makes questions.
 */
const QUESTION_KEY = 'ask_human:';
const isQuestion = (row: Pick<ApprovalRow, 'key'>) => row.key.startsWith(QUESTION_KEY);

/** What a worker sends when its agent asks for permission. */
export const ApprovalRequestInput = ApprovalAction.extend({
  taskId: z.string(),
  attempt: z.number().int().min(1),
  key: z.string().min(1).max(200),
});
export type ApprovalRequestInput = z.infer<typeof ApprovalRequestInput>;

/** A person's answer (`nexa approve` / `nexa deny`). */
export interface Answer {
  approve: boolean;
  always?: boolean;
  reason?: string;
  updatedInput?: Record<string, unknown>;
  by: string;
}

export function approvalFromRow(row: ApprovalRow): Approval {
  return {
    id: row.id,
    taskId: row.taskId,
    attempt: row.attempt,
    agent: row.agent,
    tool: row.tool,
    action: row.action,
    ...(row.command !== null ? { command: row.command } : {}),
    ...(row.paths !== null ? { paths: row.paths } : {}),
    ...(row.diff !== null ? { diff: row.diff } : {}),
    risk: row.risk,
    question: isQuestion(row),
    status: row.status,
    createdAt: new Date(row.createdAt).toISOString(),
    expiresAt: new Date(row.expiresAt).toISOString(),
    decidedAt: iso(row.decidedAt),
    decidedBy: row.decidedBy,
    rule: row.rule,
    reason: row.reason,
  };
}

/** What the agent is told about a decided row. */
function decisionOf(row: ApprovalRow): ApprovalDecision {
  if (row.status === 'approved') {
    return {
      outcome: 'allow',
      always: row.always,
      ...(row.updatedInput ? { updatedInput: row.updatedInput } : {}),
    };
  }
  if (row.status === 'expired')
    return { outcome: 'cancelled', always: false, message: row.reason ?? 'expired' };
  return { outcome: 'deny', always: false, message: row.reason ?? `denied by ${row.decidedBy}` };
}

/**
 * The approvals queue. A request is decided by policy where a rule (or the
 * task's --approve mode) says so, otherwise it waits for a person until it
 * expires, then is denied. Every decision is stored with who, when, why and
 * which rule, and goes to the worker that asked. Methods that write take the
 * write queue themselves.
 */
export class ApprovalService {
  private readonly watchers = new Set<AsyncQueue<Approval>>();
  private expiryTimer: NodeJS.Timeout | undefined;
  private nextExpiry = Number.POSITIVE_INFINITY;

  constructor(
    private readonly database: Database,
    private readonly tasks: TaskService,
    private readonly policies: PolicyStore,
    private readonly hub: WorkerHub,
    private readonly threads: ThreadService,
  ) {}

  private get db() {
    return this.database.db;
  }

  /**
   * An agent's `ask_human`: a `request` message in its own thread and a
   * question in the queue, in one write. No policy or --approve mode decides
   * a question: a person answers it with text, or it expires after the
   * task's approval timeout.
   */
  ask(
    task: TaskRow,
    author: MessageAuthor,
    question: string,
  ): Promise<{ approvalId: string; message: ThreadMessage }> {
    return this.database.writes.run(async (writer) => {
      const message = await this.threads.postIn(writer, task.id, author, {
        body: question,
        kind: 'request',
        replyTo: null,
      });
      const now = Date.now();
      const row: ApprovalRow = {
        id: newId('a'),
        taskId: task.id,
        attempt: task.attempt,
        key: `${QUESTION_KEY}${message.id}`,
        agent: task.agent,
        tool: 'ask_human',
        action: question.slice(0, 2000),
        command: null,
        paths: null,
        diff: null,
        risk: 'read',
        status: 'pending',
        createdAt: now,
        expiresAt: now + task.approvalTimeoutMs,
        decidedAt: null,
        decidedBy: null,
        rule: null,
        reason: null,
        always: false,
        updatedInput: null,
      };
      await writer.db.insert(approvals).values(row);
      this.changed(row);
      this.armExpiry(row.expiresAt);
      return { approvalId: row.id, message };
    });
  }

  /**
   * A person answers an `ask_human` question: an `answer` message replying to
   * the request (which reaches the agent like any follow-up), and the
   * question marked approved with the text as its reason.
   */
  answerQuestion(id: string, text: string, author: MessageAuthor): Promise<Approval> {
    return this.database.writes.run(async (writer) => {
      const row = await this.mustRow(id);
      if (!isQuestion(row)) {
        throw new NexaError('invalid_input', `approval ${id} is not a question: approve or deny it`, {
          hint: `nexa approve ${id} or nexa deny ${id}`,
        });
      }
      if (row.status !== 'pending') {
        throw new NexaError(
          'conflict',
          `question ${id} is already ${row.status === 'approved' ? 'answered' : row.status}${row.decidedBy ? ` (by ${row.decidedBy})` : ''}`,
        );
      }
      await this.threads.postIn(writer, row.taskId, author, {
        body: text,
        kind: 'answer',
        replyTo: row.key.slice(QUESTION_KEY.length),
      });
      const decided = {
        status: 'approved' as const,
        decidedAt: Date.now(),
        decidedBy: author.name,
        reason: text,
      };
      return approvalFromRow(await this.settle(writer, row, decided));
    });
  }

  /**
   * A worker's agent asks. Idempotent on (task, attempt, key): asking again
   * (after a reconnect) returns the request as it stands, decided or not.
   */
  request(
    workerId: string,
    input: ApprovalRequestInput,
  ): Promise<{ approval: Approval; decision?: ApprovalDecision }> {
    if (input.key.startsWith(QUESTION_KEY)) {
      return Promise.reject(
        new NexaError('invalid_input', `a request key may not start with "${QUESTION_KEY}"`),
      );
    }
    return this.database.writes.run(async (writer) => {
      const task = await this.tasks.mustRow(input.taskId);
      if (task.workerId !== workerId || task.attempt !== input.attempt || !isActiveStatus(task.status)) {
        throw new NexaError(
          'conflict',
          `attempt ${input.attempt} of task ${input.taskId} is not held by this worker`,
        );
      }
      const [existing] = await this.db
        .select()
        .from(approvals)
        .where(
          and(
            eq(approvals.taskId, input.taskId),
            eq(approvals.attempt, input.attempt),
            eq(approvals.key, input.key),
          ),
        );
      if (existing) return this.answerFor(existing);
      const layers: PolicyLayer[] = [
        { name: '--always', rules: await this.policies.rules(`task:${task.id}`) },
        { name: 'task', rules: task.policy?.rules ?? [] },
        { name: 'project', rules: await this.policies.rules('project') },
      ];
      const verdict = evaluatePolicy(input, layers, task.approve);
      const now = Date.now();
      const row: ApprovalRow = {
        id: newId('a'),
        taskId: task.id,
        attempt: input.attempt,
        key: input.key,
        agent: task.agent,
        tool: input.tool,
        action: input.action,
        command: input.command ?? null,
        paths: input.paths ?? null,
        diff: input.diff ?? null,
        risk: input.risk,
        status: verdict.decision === 'ask' ? 'pending' : verdict.decision === 'allow' ? 'approved' : 'denied',
        createdAt: now,
        expiresAt: now + task.approvalTimeoutMs,
        decidedAt: verdict.decision === 'ask' ? null : now,
        decidedBy: verdict.decision === 'ask' ? null : 'policy',
        rule: verdict.rule,
        reason: verdict.decision === 'deny' ? `denied by ${verdict.rule}` : null,
        always: false,
        updatedInput: null,
      };
      await writer.db.insert(approvals).values(row);
      this.changed(row);
      if (row.status === 'pending') this.armExpiry(row.expiresAt);
      return this.answerFor(row);
    });
  }

  private answerFor(row: ApprovalRow): { approval: Approval; decision?: ApprovalDecision } {
    const approval = approvalFromRow(row);
    return row.status === 'pending' ? { approval } : { approval, decision: decisionOf(row) };
  }

  /** A person answers a pending request; `always` also allows the same action for the rest of the task. */
  answer(id: string, answer: Answer): Promise<Approval> {
    return this.database.writes.run(async (writer) => {
      const row = await this.mustRow(id);
      if (isQuestion(row)) {
        throw new NexaError('invalid_input', `approval ${id} is a question: answer it with text`, {
          hint: `nexa approvals answer ${id} "TEXT" (or reply in the TUI)`,
        });
      }
      if (row.status !== 'pending') {
        throw new NexaError(
          'conflict',
          `approval ${id} is already ${row.status}${row.decidedBy ? ` (by ${row.decidedBy})` : ''}`,
        );
      }
      const decided: Partial<ApprovalRow> = {
        status: answer.approve ? 'approved' : 'denied',
        decidedAt: Date.now(),
        decidedBy: answer.by,
        reason: answer.reason ?? null,
        always: answer.approve && (answer.always ?? false),
        updatedInput: answer.updatedInput ?? null,
      };
      if (decided.always) await this.policies.add(writer, `task:${row.taskId}`, alwaysRule(row), answer.by);
      return approvalFromRow(await this.settle(writer, row, decided));
    });
  }

  /** Ends the pending requests of a task (it was cancelled, or ended, or its worker was lost). */
  async expireTask(taskId: string, reason: string): Promise<void> {
    // Called for every task that ends; most never asked anything, so look before taking the write
    // queue. Nothing new can turn up meanwhile: a task no longer active may not ask.
    if ((await this.pendingOf(taskId)).length === 0) return;
    await this.database.writes.run(async (writer) => {
      for (const row of await this.pendingOf(taskId)) {
        await this.settle(writer, row, {
          status: 'expired',
          decidedAt: Date.now(),
          decidedBy: 'nexa',
          reason,
        });
      }
    });
  }

  private pendingOf(taskId: string): Promise<ApprovalRow[]> {
    return this.db
      .select()
      .from(approvals)
      .where(and(eq(approvals.taskId, taskId), eq(approvals.status, 'pending')));
  }

  /** Denies every request nobody answered in time; arms the timer for the next one. */
  private async expireOverdue(): Promise<void> {
    this.nextExpiry = Number.POSITIVE_INFINITY;
    await this.database.writes.run(async (writer) => {
      const now = Date.now();
      const overdue = await this.db
        .select()
        .from(approvals)
        .where(and(eq(approvals.status, 'pending'), lte(approvals.expiresAt, now)));
      for (const row of overdue) {
        const reason = `no answer within ${formatDuration(row.expiresAt - row.createdAt)}`;
        await this.settle(writer, row, { status: 'denied', decidedAt: now, decidedBy: 'timeout', reason });
      }
      const [next] = await this.db
        .select({ expiresAt: approvals.expiresAt })
        .from(approvals)
        .where(eq(approvals.status, 'pending'))
        .orderBy(asc(approvals.expiresAt))
        .limit(1);
      if (next) this.armExpiry(next.expiresAt);
    });
  }

  /** Starts the expiry clock for requests left pending by an earlier run of the coordinator. */
  async start(): Promise<void> {
    await this.expireOverdue();
  }

  stop(): void {
    clearTimeout(this.expiryTimer);
    for (const watcher of this.watchers) watcher.end();
  }

  private armExpiry(at: number): void {
    if (at >= this.nextExpiry) return;
    this.nextExpiry = at;
    clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(() => void this.expireOverdue(), Math.max(0, at - Date.now()));
    this.expiryTimer.unref();
  }

  /** Stores a decision, tells the worker that asked, and tells watchers. Inside the write queue. */
  private async settle(
    writer: Writer,
    row: ApprovalRow,
    decided: Partial<ApprovalRow>,
  ): Promise<ApprovalRow> {
    await writer.db.update(approvals).set(decided).where(eq(approvals.id, row.id));
    const updated = { ...row, ...decided };
    const task = await this.tasks.row(row.taskId);
    // A question's answer reaches the agent as a message in its thread, not as a decision.
    if (task?.workerId && task.attempt === row.attempt && !isQuestion(row)) {
      this.hub.send(task.workerId, {
        type: 'decision',
        key: row.key,
        approval: approvalFromRow(updated),
        decision: decisionOf(updated),
      });
    }
    this.changed(updated);
    return updated;
  }

  async row(id: string): Promise<ApprovalRow | undefined> {
    const [row] = await this.db.select().from(approvals).where(eq(approvals.id, id));
    return row;
  }

  async mustRow(id: string): Promise<ApprovalRow> {
    const row = await this.row(id);
    if (!row)
      throw new NexaError('not_found', `no approval ${id}`, { hint: 'list them with `nexa approvals list`' });
    return row;
  }

  async list(filter: {
    status?: Approval['status'][];
    taskId?: string;
    /** Only requests of these projects' tasks; null or left out: every project. */
    projects?: readonly string[] | null;
    limit: number;
  }): Promise<Approval[]> {
    const where: SQL[] = [];
    if (filter.status?.length) where.push(inArray(approvals.status, filter.status));
    if (filter.taskId) where.push(eq(approvals.taskId, filter.taskId));
    if (filter.projects) {
      where.push(
        inArray(
          approvals.taskId,
          this.db
            .select({ id: tasks.id })
            .from(tasks)
            .where(inArray(tasks.project, [...filter.projects])),
        ),
      );
    }
    // Sizes first, then only the rows that fit the listing's byte budget (diffs can be large).
    const order = [desc(approvals.createdAt), desc(approvals.id)];
    const sized = await this.db
      .select({
        id: approvals.id,
        bytes: sql<number>`length(${approvals.action}) + coalesce(length(${approvals.command}), 0) + coalesce(length(${approvals.paths}), 0) + coalesce(length(${approvals.diff}), 0) + coalesce(length(${approvals.reason}), 0)`,
      })
      .from(approvals)
      .where(and(...where))
      .orderBy(...order)
      .limit(filter.limit);
    const ids = sized.slice(0, rowsWithin(sized.map((row) => row.bytes))).map((row) => row.id);
    if (ids.length === 0) return [];
    const rows = await this.db
      .select()
      .from(approvals)
      .where(inArray(approvals.id, ids))
      .orderBy(...order);
    return rows.map(approvalFromRow);
  }

  /** Every change to the queue from now on (new requests and decisions), for `--watch` and the TUI. */
  watch(): { queue: AsyncQueue<Approval>; close(): void } {
    // Bounded by count and bytes: a watcher that stops reading is ended (overflowed), never grown.
    const queue = new AsyncQueue<Approval>(limits.listing.watchEvents, limits.listing.watchBytes);
    this.watchers.add(queue);
    return {
      queue,
      close: () => {
        queue.end();
        this.watchers.delete(queue);
      },
    };
  }

  private changed(row: ApprovalRow): void {
    const approval = approvalFromRow(row);
    const bytes =
      approval.action.length + (approval.command?.length ?? 0) + (approval.diff?.length ?? 0) + 512;
    for (const watcher of this.watchers) watcher.push(approval, bytes);
  }
}

/**
 * What `--always` allows from now on in this task: exactly the same command, or
 * the same tool on the same path. Literal text, never a glob: approving
 * `ls *.txt` must not approve `ls /; curl ... | sh; echo .txt`.
 */
function alwaysRule(row: ApprovalRow): PolicyRule {
  const exact = { tool: row.tool, match: 'exact', decision: 'allow' } as const;
  if (row.command !== null) return { ...exact, command: row.command };
  if (row.paths?.length === 1) return { ...exact, path: row.paths[0] as string };
  return exact;
}
