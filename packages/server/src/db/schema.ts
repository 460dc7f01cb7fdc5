import { attemptStatuses, roles, sandboxNames, taskStatuses, workerStatuses } from '@nexa/core';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

// Times are epoch milliseconds; JSON columns hold small objects and arrays.

export const tokens = sqliteTable('tokens', {
  jti: text('jti').primaryKey(),
  role: text('role', { enum: roles }).notNull(),
  subject: text('subject').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at'),
  revokedAt: integer('revoked_at'),
});

export const workers = sqliteTable('workers', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  labels: text('labels', { mode: 'json' }).$type<Record<string, string>>().notNull(),
  capacity: integer('capacity').notNull(),
  version: text('version').notNull(),
  sandboxes: text('sandboxes', { mode: 'json' }).$type<string[]>().notNull(),
  agents: text('agents', { mode: 'json' }).$type<string[]>().notNull(),
  status: text('status', { enum: workerStatuses }).notNull(),
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
    agent: text('agent').notNull(),
    command: text('command', { mode: 'json' }).$type<string[]>().notNull(),
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
    network: integer('network', { mode: 'boolean' }).notNull().default(false),
    limits: text('limits', { mode: 'json' })
      .$type<{ memoryBytes?: number; cpus?: number; pids?: number }>()
      .notNull()
      .default({}),
    workerId: text('worker_id'),
    leaseExpiresAt: integer('lease_expires_at'),
    exitCode: integer('exit_code'),
    reason: text('reason'),
    parentId: text('parent_id'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    assignedAt: integer('assigned_at'),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (table) => [
    index('tasks_queue').on(table.status, table.priority, table.createdAt),
    index('tasks_worker').on(table.workerId, table.status),
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
