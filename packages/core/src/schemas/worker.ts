import { z } from 'zod';
import { limits } from '../limits.js';
import type { Approval, ApprovalDecision } from './approval.js';
import type { ThreadMessage } from './conversation.js';
import { ProjectName } from './conversation.js';
import { AgentName, labelMap, SandboxName, TaskSpec } from './task.js';

export const workerStatuses = ['online', 'offline', 'lost', 'draining'] as const;
export const WorkerStatus = z.enum(workerStatuses);
export type WorkerStatus = z.infer<typeof WorkerStatus>;

export const WorkerName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'a worker name is letters, digits, ".", "_" or "-" (max 63)');

/** What a worker says about itself when it dials in. */
export const WorkerRegistration = z.object({
  name: WorkerName,
  /** Random per worker process: a reconnect from the same process may take over its old session. */
  instanceId: z.string().min(8).max(64),
  labels: labelMap('worker label', limits.worker).default({}),
  capacity: z.number().int().min(1).max(1024),
  version: z.string().max(64),
  sandboxes: z.array(SandboxName).min(1).max(16),
  agents: z.array(AgentName).min(1).max(16),
  /**
   * The projects it serves (`nexa worker --project`); empty: every project its
   * credential allows. Asking for one the credential does not allow is refused.
   */
  projects: z.array(ProjectName).max(limits.teams.tokenProjects).default([]),
  /** Agents this worker has but cannot run (no CLI, no credential passed), and why: said, not silently left out. */
  unavailableAgents: z
    .array(z.object({ agent: AgentName, reason: z.string().max(300) }))
    .max(16)
    .default([]),
});
export type WorkerRegistration = z.infer<typeof WorkerRegistration>;

/** A worker as every client sees it; this is also the `--json` contract. */
export const WorkerInfo = z.object({
  id: z.string(),
  name: z.string(),
  status: WorkerStatus,
  labels: z.record(z.string(), z.string()),
  capacity: z.number().int(),
  running: z.number().int(),
  version: z.string(),
  sandboxes: z.array(z.string()),
  agents: z.array(z.string()),
  /** From the live session: empty while the worker is offline. */
  unavailableAgents: z.array(z.object({ agent: z.string(), reason: z.string() })),
  /** The projects it takes tasks of; null: every project. */
  projects: z.array(z.string()).nullable(),
  connectedAt: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
});
export type WorkerInfo = z.infer<typeof WorkerInfo>;

/** A task handed to a worker: its spec, which attempt this is, and where its seq numbers start. */
export const Assignment = z.object({
  taskId: z.string(),
  attempt: z.number().int().min(1),
  firstSeq: z.number().int().min(1),
  spec: TaskSpec,
  /**
   * The attempt's own token (role `task`), minted for this attempt: what the
   * agent's `nexa mcp` authenticates with. It works only while this attempt runs.
   */
  token: z.string().max(4096).optional(),
  /** `nexa continue`: resume the agent's session (in the task's kept working copy) with this prompt. */
  resume: z.object({ sessionId: z.string().max(1024), prompt: z.string() }).optional(),
  /**
   * The values of the secrets the task names (spec.secrets), decrypted by the
   * coordinator for this attempt: the worker puts them in the task's
   * environment, never in argv, and redacts them from everything it sends.
   */
  secrets: z.record(z.string(), z.string()).default({}),
});
export type Assignment = z.infer<typeof Assignment>;

/** A task attempt a worker is running, as it reports them when it (re)connects. */
export const RunningAttempt = z.object({ taskId: z.string(), attempt: z.number().int().min(1) });
export type RunningAttempt = z.infer<typeof RunningAttempt>;

/** Why the coordinator tells a worker to stop an attempt. */
export type StopReason = 'cancelled' | 'reassigned';

/** What the coordinator tells a connected worker, in order, over its session. */
export type WorkerMessage =
  | { type: 'registered'; workerId: string; heartbeatMs: number }
  | { type: 'assign'; assignment: Assignment }
  | { type: 'stop'; taskId: string; attempt: number; reason: StopReason; graceMs: number }
  | { type: 'decision'; key: string; approval: Approval; decision: ApprovalDecision }
  /** A message someone else posted in a running task's thread: the agent's next user turn. */
  | { type: 'message'; taskId: string; attempt: number; message: ThreadMessage };
