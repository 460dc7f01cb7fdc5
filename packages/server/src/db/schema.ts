import {
  type ApproveMode,
  approvalStatuses,
  approveModes,
  attemptStatuses,
  networkModes,
  type PolicyRule,
  risks,
  roles,
  sandboxNames,
  taskStatuses,
  workerStatuses,
} from '@nexa/core';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

// Times are epoch milliseconds; JSON columns hold small objects and arrays.

export const tokens = sqliteTable('tokens', {
  jti: text('jti').primaryKey(),
  role: text('role', { enum: roles }).notNull(),
  subject: text('subject').notNull(),
  /** The subject of whoever made it (null: made by the coordinator itself, or before this was kept). */
  createdBy: text('created_by'),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at'),
  revokedAt: integer('revoked_at'),
  /** The projects a member, viewer or worker token may see and act in; null: every project. */
  projects: text('projects', { mode: 'json' }).$type<string[]>(),
  /** A join token (`nexa token create --role worker --join`): how many workers it may still make, of how many. */
  joinUses: integer('join_uses'),
  joinUsed: integer('join_used').notNull().default(0),
  /** The labels a worker made by this join token, or holding this credential, may claim; null: any. */
  workerLabels: text('worker_labels', { mode: 'json' }).$type<Record<string, string>>(),
  /** A worker's own credential: the worker it is, and the one name it registers as. */
  workerId: text('worker_id'),
  workerName: text('worker_name'),
});

/** Projects scope tasks, threads, keys and secrets; admins create and remove them. */
export const projects = sqliteTable('projects', {
  name: text('name').primaryKey(),
  createdBy: text('created_by'),
  createdAt: integer('created_at').notNull(),
});

/** Secrets, each encrypted with AES-256-GCM under the key in the data dir (`secret.key`). */
export const secrets = sqliteTable(
  'secrets',
  {
    project: text('project').notNull(),
    name: text('name').notNull(),
    /** base64 of iv (12 bytes) + auth tag (16 bytes) + ciphertext; the project and name are its associated data. */
    sealed: text('sealed').notNull(),
    setBy: text('set_by').notNull(),
    setAt: integer('set_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.project, table.name] })],
);

/** Who did what, when, from where (`nexa audit`). */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    action: text('action').notNull(),
    actor: text('actor'),
    role: text('role'),
    target: text('target'),
    project: text('project'),
    fromAddress: text('from_address'),
    detail: text('detail'),
  },
  (table) => [index('audit_at').on(table.at), index('audit_project').on(table.project, table.at)],
);

export const workers = sqliteTable('workers', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  labels: text('labels', { mode: 'json' }).$type<Record<string, string>>().notNull(),
  capacity: integer('capacity').notNull(),
  version: text('version').notNull(),
  sandboxes: text('sandboxes', { mode: 'json' }).$type<string[]>().notNull(),
  agents: text('agents', { mode: 'json' }).$type<string[]>().notNull(),
  status: text('status', { enum: workerStatuses }).notNull(),
  /** The projects it takes tasks of (its credential's, narrowed by --project); null: every project. */
  projects: text('projects', { mode: 'json' }).$type<string[]>(),
  /** The credential (token jti) that holds this name: another credential may not register as it. */
  credentialJti: text('credential_jti'),
  /** `nexa workers revoke`: its credential is revoked and it may not register again. */
  revokedAt: integer('revoked_at'),
  /** Set by `nexa workers drain`: no new tasks; kept across reconnects. */
  draining: integer('draining', { mode: 'boolean' }).notNull().default(false),
  connectedAt: integer('connected_at'),
  lastSeenAt: integer('last_seen_at'),
  createdAt: integer('created_at').notNull(),
});

export const tasks = sqliteTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    project: text('project').notNull().default('default'),
    agent: text('agent').notNull(),
    command: text('command', { mode: 'json' }).$type<string[]>().notNull(),
    prompt: text('prompt'),
    /** The task's own approval rules (`nexa run --policy FILE`). */
    policy: text('policy', { mode: 'json' }).$type<{ rules: PolicyRule[] }>(),
    approve: text('approve', { enum: approveModes }).$type<ApproveMode>().notNull().default('ask'),
    approvalTimeoutMs: integer('approval_timeout_ms').notNull().default(600_000),
    env: text('env', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    labels: text('labels', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    priority: integer('priority').notNull(),
    status: text('status', { enum: taskStatuses }).notNull(),
    attempt: integer('attempt').notNull(),
    maxAttempts: integer('max_attempts').notNull(),
    timeoutMs: integer('timeout_ms'),
    graceMs: integer('grace_ms').notNull().default(10_000),
    cancelRequestedAt: integer('cancel_requested_at'),
    repo: text('repo'),
    sandbox: text('sandbox', { enum: sandboxNames }),
    image: text('image'),
    /** TaskSpec.network: none | allowlist | open (before 0011, a boolean `network` column). */
    egress: text('egress', { enum: networkModes }).notNull().default('none'),
    allowHosts: text('allow_hosts', { mode: 'json' }).$type<string[]>().notNull().default([]),
    /** Names of the secrets the task receives (never their values). */
    secrets: text('secrets', { mode: 'json' }).$type<string[]>().notNull().default([]),
    limits: text('limits', { mode: 'json' })
      .$type<{ memoryBytes?: number; cpus?: number; pids?: number }>()
      .notNull()
      .default({}),
    workerId: text('worker_id'),
    leaseExpiresAt: integer('lease_expires_at'),
    exitCode: integer('exit_code'),
    reason: text('reason'),
    parentId: text('parent_id'),
    /** `nexa continue` runs the next attempt where the kept working copy is: only this worker may take it. */
    requiredWorkerId: text('required_worker_id'),
    /** `nexa continue`: what the resumed session is told next (the attempt's Assignment.resume.prompt). */
    continuePrompt: text('continue_prompt'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    assignedAt: integer('assigned_at'),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    /** The last line of output and the agent's cost, kept here once the task ends (live values are in memory). */
    lastLine: text('last_line'),
    costUsd: real('cost_usd'),
    /**
     * Bumped by triggers (migration 0006) whenever a column a viewer sees
     * changes: the cursor of the live task feed (tasks.watch).
     */
    changeSeq: integer('change_seq').notNull().default(0),
  },
  (table) => [
    index('tasks_queue').on(table.status, table.priority, table.createdAt),
    index('tasks_worker').on(table.workerId, table.status),
    index('tasks_change').on(table.changeSeq),
    index('tasks_finished').on(table.finishedAt),
    // Only tasks no live session holds have a stored lease: the lease monitor's sweep reads just those.
    index('tasks_lease').on(table.leaseExpiresAt),
    // Listings page newest first by (created_at, id), with or without a status.
    index('tasks_listing').on(table.createdAt, table.id),
    index('tasks_status_listing').on(table.status, table.createdAt, table.id),
    index('tasks_project_listing').on(table.project, table.createdAt, table.id),
    index('tasks_parent').on(table.parentId, table.createdAt),
  ],
);

export const taskEvents = sqliteTable(
  'task_events',
  {
    taskId: text('task_id').notNull(),
    seq: integer('seq').notNull(),
    attempt: integer('attempt').notNull(),
    kind: text('kind').notNull(),
    /** The event's kind-specific fields as JSON (see TaskEventBody in @nexa/core). */
    body: text('body').notNull(),
    at: integer('at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.seq] })],
);

/** Every attempt of every task: which worker ran it and how it ended. */
export const taskAttempts = sqliteTable(
  'task_attempts',
  {
    taskId: text('task_id').notNull(),
    attempt: integer('attempt').notNull(),
    workerId: text('worker_id').notNull(),
    status: text('status', { enum: attemptStatuses }).notNull(),
    exitCode: integer('exit_code'),
    reason: text('reason'),
    assignedAt: integer('assigned_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.attempt] })],
);

/** The approvals queue: every permission an agent asked for, and how it was decided. */
export const approvals = sqliteTable(
  'approvals',
  {
    id: text('id').primaryKey(),
    taskId: text('task_id').notNull(),
    attempt: integer('attempt').notNull(),
    /** The agent's own id for the request: asking again (after a reconnect) finds the same row. */
    key: text('key').notNull(),
    agent: text('agent').notNull(),
    tool: text('tool').notNull(),
    action: text('action').notNull(),
    command: text('command'),
    paths: text('paths', { mode: 'json' }).$type<string[]>(),
    diff: text('diff'),
    risk: text('risk', { enum: risks }).notNull(),
    status: text('status', { enum: approvalStatuses }).notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    decidedAt: integer('decided_at'),
    decidedBy: text('decided_by'),
    rule: text('rule'),
    reason: text('reason'),
    always: integer('always', { mode: 'boolean' }).notNull().default(false),
    updatedInput: text('updated_input', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (table) => [
    uniqueIndex('approvals_request').on(table.taskId, table.attempt, table.key),
    index('approvals_queue').on(table.status, table.expiresAt),
    index('approvals_listing').on(table.createdAt, table.id),
    index('approvals_status_listing').on(table.status, table.createdAt, table.id),
    index('approvals_task').on(table.taskId, table.createdAt),
  ],
);

/** Approval rules kept on the server: the project's (`nexa policy set`) and those `--always` added to a task. */
export const policies = sqliteTable('policies', {
  /** "project", or "task:<id>". */
  scope: text('scope').primaryKey(),
  rules: text('rules', { mode: 'json' }).$type<PolicyRule[]>().notNull(),
  updatedAt: integer('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
});

/** Conversations: one per task (its id is the task's) and free ones (`nexa threads create`). */
export const threads = sqliteTable(
  'threads',
  {
    id: text('id').primaryKey(),
    project: text('project').notNull(),
    title: text('title').notNull(),
    taskId: text('task_id'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    lastMessageAt: integer('last_message_at'),
    /** Messages so far; also the seq of the newest one. */
    messages: integer('messages').notNull().default(0),
  },
  (table) => [index('threads_listing').on(table.project, table.lastMessageAt, table.id)],
);

/** Messages of threads, in order per thread (seq); `reply_to` makes a thread a tree. */
export const messages = sqliteTable(
  'messages',
  {
    id: text('id').primaryKey(),
    threadId: text('thread_id').notNull(),
    project: text('project').notNull(),
    seq: integer('seq').notNull(),
    authorKind: text('author_kind', { enum: ['person', 'agent'] }).notNull(),
    authorName: text('author_name').notNull(),
    authorTaskId: text('author_task_id'),
    authorWorkerName: text('author_worker_name'),
    kind: text('kind', { enum: ['message', 'request', 'answer'] }).notNull(),
    body: text('body').notNull(),
    replyTo: text('reply_to'),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [uniqueIndex('messages_thread_seq').on(table.threadId, table.seq)],
);

/** Each project's key-value store: JSON values, versioned for compare-and-set. */
export const kv = sqliteTable(
  'kv',
  {
    project: text('project').notNull(),
    key: text('key').notNull(),
    /** The value as JSON text. */
    value: text('value').notNull(),
    version: integer('version').notNull(),
    updatedBy: text('updated_by').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.project, table.key] })],
);
