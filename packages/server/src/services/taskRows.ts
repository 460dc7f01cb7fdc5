import type { Principal, Task, TaskAttempt, TaskSpec } from '@nexa/core';
import type { taskAttempts, tasks } from '../db/schema.js';

export type TaskRow = typeof tasks.$inferSelect;
export type AttemptRow = typeof taskAttempts.$inferSelect;

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * What a task's environment values read as to someone who may not see them:
 * the names stay (what the task was given), the values do not (`--env
 * API_TOKEN=...` is how secrets reach a task).
 */
export const ENV_VALUE_MASK = '***';

/** Env values are the creator's and admins' to see: everyone else gets the names with ENV_VALUE_MASK. */
export function envFor(row: Pick<TaskRow, 'env' | 'createdBy'>, viewer: Principal): Record<string, string> {
  if (viewer.role === 'admin' || viewer.subject === row.createdBy) return row.env;
  return Object.fromEntries(Object.keys(row.env).map((name) => [name, ENV_VALUE_MASK]));
}

/** What a task row alone cannot say: why it waits (the scheduler), its worker's name, its live output and cost. */
export interface TaskExtras {
  waitingFor?: string | null;
  workerName?: string | null;
  /** In memory while the task runs; the row's own values once it has ended. */
  live?: { lastLine: string | null; costUsd: number | null } | undefined;
}

/**
 * The public shape of a task row (the `--json` contract), as `viewer` may see
 * it: required, so no output path can forget to mask the env. TaskViews
 * fills in the extras; use it rather than calling this directly.
 */
export function taskFromRow(row: TaskRow, viewer: Principal, extras: TaskExtras = {}): Task {
  const { waitingFor = null, workerName = null, live } = extras;
  return {
    ...specFromRow(row),
    env: envFor(row, viewer),
    id: row.id,
    parentId: row.parentId,
    status: row.status,
    workerId: row.workerId,
    attempt: row.attempt,
    exitCode: row.exitCode,
    reason: row.reason,
    createdAt: new Date(row.createdAt).toISOString(),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    cancelRequestedAt: iso(row.cancelRequestedAt),
    waitingFor: row.status === 'queued' ? waitingFor : null,
    workerName: row.workerId === null ? null : workerName,
    lastLine: live?.lastLine ?? row.lastLine,
    costUsd: live?.costUsd ?? row.costUsd,
  };
}

export function attemptFromRow(row: AttemptRow): TaskAttempt {
  return {
    attempt: row.attempt,
    workerId: row.workerId,
    status: row.status,
    exitCode: row.exitCode,
    reason: row.reason,
    assignedAt: new Date(row.assignedAt).toISOString(),
    finishedAt: iso(row.finishedAt),
  };
}

/** The spec part of a row, as a worker gets it in an assignment: with the env in clear, for the worker only. */
export function specFromRow(row: TaskRow): TaskSpec {
  return {
    project: row.project,
    agent: row.agent as Task['agent'],
    command: row.command,
    prompt: row.prompt,
    policy: row.policy,
    approve: row.approve,
    approvalTimeoutMs: row.approvalTimeoutMs,
    env: row.env,
    labels: row.labels,
    priority: row.priority,
    maxAttempts: row.maxAttempts,
    timeoutMs: row.timeoutMs,
    graceMs: row.graceMs,
    repo: row.repo,
    sandbox: row.sandbox,
    image: row.image,
    network: row.egress,
    allowHosts: row.allowHosts,
    secrets: row.secrets,
    limits: row.limits,
  };
}
