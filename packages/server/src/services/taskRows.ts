import type { Task } from '@nexa/core';
import type { tasks } from '../db/schema.js';

export type TaskRow = typeof tasks.$inferSelect;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The public shape of a task row (the `--json` contract). */
export function taskFromRow(row: TaskRow): Task {
  return {
    id: row.id,
    status: row.status,
    agent: row.agent as Task['agent'],
    command: row.command,
    env: row.env,
    labels: row.labels,
    priority: row.priority,
    maxAttempts: row.maxAttempts,
    workerId: row.workerId,
    attempt: row.attempt,
    exitCode: row.exitCode,
    reason: row.reason,
    createdAt: new Date(row.createdAt).toISOString(),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
  };
}
