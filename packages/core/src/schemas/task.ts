import { z } from 'zod';
import { agentKind, agentNames } from '../agents.js';
import { limits, tooLong, tooMany } from '../limits.js';
import { TERMINAL_CONTROLS } from '../text.js';
import { ApproveMode, Policy } from './approval.js';
import { DEFAULT_PROJECT, ProjectName } from './conversation.js';
import { AllowedHost, NetworkMode, SecretName } from './team.js';

export const taskStatuses = [
  'queued',
  'assigned',
  'running',
  'waiting_approval',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export const TaskStatus = z.enum(taskStatuses);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const AgentName = z.enum(agentNames);
export type AgentName = z.infer<typeof AgentName>;

export const sandboxNames = ['docker', 'bwrap', 'process'] as const;
export const SandboxName = z.enum(sandboxNames);
export type SandboxName = z.infer<typeof SandboxName>;

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const { task: taskLimits } = limits;

/** The sum of string lengths: what one field costs in every listing. */
const totalChars = (values: Iterable<string>) => {
  let total = 0;
  for (const value of values) total += value.length;
  return total;
};

export const EnvVars = z
  .record(
    z.string().max(taskLimits.envNameChars, tooLong('an env name', taskLimits.envNameChars)),
    z
      .string()
      .max(taskLimits.envValueChars, tooLong('an env value', taskLimits.envValueChars))
      // No environment can hold a NUL, and a sandbox that takes NUL-separated options would split on it.
      .refine((value) => !value.includes('\0'), 'an env value may not contain a NUL character'),
  )
  .superRefine((env, ctx) => {
    const names = Object.keys(env);
    if (names.length > taskLimits.envVars) {
      ctx.addIssue({ code: 'custom', message: tooMany('env', taskLimits.envVars, 'variables') });
      return;
    }
    const total = totalChars(names) + totalChars(Object.values(env));
    if (total > taskLimits.envTotalChars) {
      ctx.addIssue({
        code: 'custom',
        message: tooLong('env (all names and values)', taskLimits.envTotalChars),
      });
    }
    for (const name of names) {
      if (!envName.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `"${name.slice(0, 64)}" is not an environment variable name (letters, digits and _, not starting with a digit)`,
        });
      }
    }
  });

/** Labels as key=value pairs, bounded in count and size (a worker's labels or a task's selector). */
export function labelMap(
  field: string,
  bounds: { labels: number; labelKeyChars: number; labelValueChars: number },
) {
  return z
    .record(
      z
        .string()
        .min(1)
        .max(bounds.labelKeyChars, tooLong(`a ${field} key`, bounds.labelKeyChars))
        .refine((key) => !TERMINAL_CONTROLS.test(key), `a ${field} key may not hold control characters`),
      z
        .string()
        .max(bounds.labelValueChars, tooLong(`a ${field} value`, bounds.labelValueChars))
        .refine(
          (value) => !TERMINAL_CONTROLS.test(value),
          `a ${field} value may not hold control characters`,
        ),
    )
    .refine((labels) => Object.keys(labels).length <= bounds.labels, tooMany(field, bounds.labels, 'labels'));
}

export const LabelSelector = labelMap('label', taskLimits);

/** A command's argv, bounded per argument and in total. */
export const Command = z
  .array(
    z.string().max(taskLimits.commandArgChars, tooLong('a command argument', taskLimits.commandArgChars)),
  )
  .max(taskLimits.commandArgs, tooMany('command', taskLimits.commandArgs, 'arguments'))
  .refine(
    (argv) => totalChars(argv) <= taskLimits.commandTotalChars,
    tooLong('command (all arguments together)', taskLimits.commandTotalChars),
  );

/** What a person asks for: everything needed to run a task, and nothing the coordinator decides. */
const TaskSpecFields = z.object({
  /** The project the task, its thread and its children belong to. */
  project: ProjectName.default(DEFAULT_PROJECT),
  agent: AgentName.default('shell'),
  /** The shell agent's argv; for `acp`, the agent's own command (e.g. ["claude-agent-acp"]). */
  command: Command.default([]),
  /** What a coding agent is asked to do; null for `shell`. */
  prompt: z
    .string()
    .min(1)
    .max(taskLimits.promptChars, tooLong('prompt', taskLimits.promptChars))
    .nullable()
    .default(null),
  /** Rules that decide this task's approval requests before the project's policy does. */
  policy: Policy.nullable().default(null),
  /** What a request no rule matches gets: ask a person, or allow/deny all. */
  approve: ApproveMode.default('ask'),
  /** An approval request nobody answers is denied after this long. */
  approvalTimeoutMs: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3_600_000)
    .default(600_000),
  env: EnvVars.default({}),
  labels: LabelSelector.default({}),
  priority: z.number().int().min(-1000).max(1000).default(0),
  /** How many times the task may start: a lost worker's task runs again while attempts remain. */
  maxAttempts: z.number().int().min(1).max(100).default(2),
  /** End the task as timed_out after this long running; null for no limit. */
  timeoutMs: z.number().int().min(1).nullable().default(null),
  /** After SIGTERM (cancel, timeout), how long before SIGKILL. */
  graceMs: z.number().int().min(0).max(3_600_000).default(10_000),
  /** A git repository (a path on the worker's machine, or any URL git accepts) to work on; null: an empty directory. */
  repo: z.string().min(1).max(4096).nullable().default(null),
  /** Where it runs; null: the worker's best walled sandbox (docker, then bwrap). */
  sandbox: SandboxName.nullable().default(null),
  /** Container image for the docker sandbox; null: the worker's default. */
  image: z.string().min(1).max(256).nullable().default(null),
  /**
   * How the sandbox reaches the network (see NetworkMode); left out, the
   * agent's default: `none` for a command, `allowlist` for a coding agent.
   * `true`/`false` are read as `open`/`none` (clients before egress control).
   */
  network: z.preprocess(
    (value) => (value === true ? 'open' : value === false ? 'none' : value),
    NetworkMode.optional(),
  ),
  /** Under `allowlist`: hosts reachable besides the agent's provider (host or host:port). */
  allowHosts: z
    .array(AllowedHost)
    .max(limits.egress.allowHosts, tooMany('allowHosts', limits.egress.allowHosts, 'hosts'))
    .default([]),
  /** Secrets (`nexa secret set`) the task receives as environment variables of the same name. */
  secrets: z
    .array(SecretName)
    .max(limits.secrets.perTask, tooMany('secrets', limits.secrets.perTask, 'names'))
    .default([]),
  limits: z
    .object({
      memoryBytes: z
        .number()
        .int()
        .min(4 * 1024 * 1024)
        .optional(),
      cpus: z.number().min(0.01).max(1024).optional(),
      pids: z.number().int().min(8).max(1_000_000).optional(),
    })
    .default({}),
});

export const TaskSpec = TaskSpecFields.superRefine((spec, ctx) => {
  const kind = agentKind(spec.agent);
  if (kind.input === 'command' && spec.command.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['command'],
      message: `a ${spec.agent} task needs a command: nexa run -- CMD ARGS...`,
    });
  }
  if (kind.needsCommand && spec.command.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['command'],
      message: `an ${spec.agent} task needs the agent's command: --agent-cmd "CMD ARGS"`,
    });
  }
  if (kind.input === 'prompt' && !spec.prompt) {
    ctx.addIssue({
      code: 'custom',
      path: ['prompt'],
      message: `the ${spec.agent} agent needs a prompt: nexa run "PROMPT" --agent ${spec.agent}`,
    });
  }
  if (spec.allowHosts.length > 0 && spec.network !== undefined && spec.network !== 'allowlist') {
    ctx.addIssue({
      code: 'custom',
      path: ['allowHosts'],
      message: `allowed hosts need --network allowlist, not ${spec.network}`,
    });
  }
}).transform((spec) => ({ ...spec, network: spec.network ?? agentKind(spec.agent).egress.default }));
export type TaskSpec = z.infer<typeof TaskSpec>;
export type TaskSpecInput = z.input<typeof TaskSpec>;

/** A task as every client sees it; this is also the `--json` contract. */
export const Task = TaskSpecFields.extend({
  network: NetworkMode,
  id: z.string(),
  /** The task that started this one (a sub-task), or null. */
  parentId: z.string().nullable(),
  status: TaskStatus,
  workerId: z.string().nullable(),
  attempt: z.number().int(),
  exitCode: z.number().int().nullable(),
  reason: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Set once someone asked to cancel; the task ends `cancelled` whatever the agent does. */
  cancelRequestedAt: z.string().nullable(),
  /** Why a queued task is not running yet, e.g. "no connected worker has label gpu=1". */
  waitingFor: z.string().nullable(),
  /** The name of the worker holding (or that last held) the task. */
  workerName: z.string().nullable(),
  /** The last non-empty line of output as plain text (escapes stripped, after the last \r), at most 200 chars. */
  lastLine: z.string().nullable(),
  /** What the agent says the task has cost so far, in USD; null until it reports one. */
  costUsd: z.number().nullable(),
});
export type Task = z.infer<typeof Task>;

/** What a running task is doing now: sent often, cheaply, without the whole task. */
export const TaskActivity = z.object({
  id: z.string(),
  lastLine: z.string().nullable(),
  costUsd: z.number().nullable(),
});
export type TaskActivity = z.infer<typeof TaskActivity>;

/**
 * One message of the live task list (`tasks.watch`). `snapshot` replaces
 * the whole list; `task` is one created or changed task; `cursor` is what to
 * resume from (also the tracked id). `activity` carries no cursor: it is lost
 * on a reconnect, and the next snapshot or task message has the same values.
 */
export const TaskFeedMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), tasks: z.array(Task), cursor: z.number().int() }),
  z.object({ type: z.literal('task'), task: Task, cursor: z.number().int() }),
  z.object({ type: z.literal('activity'), tasks: z.array(TaskActivity) }),
]);
export type TaskFeedMessage = z.infer<typeof TaskFeedMessage>;

export const attemptStatuses = [
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
  'lost',
  'handed_back',
] as const;
export const AttemptStatus = z.enum(attemptStatuses);
export type AttemptStatus = z.infer<typeof AttemptStatus>;

/** One run of a task on one worker; a task keeps every attempt in its history. */
export const TaskAttempt = z.object({
  attempt: z.number().int(),
  workerId: z.string(),
  status: AttemptStatus,
  exitCode: z.number().int().nullable(),
  reason: z.string().nullable(),
  assignedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type TaskAttempt = z.infer<typeof TaskAttempt>;

/** What the task changed in its repository, from its latest artifact event. */
export const TaskChanges = z.object({
  branch: z.string(),
  base: z.string(),
  files: z.number().int(),
  insertions: z.number().int(),
  deletions: z.number().int(),
});
export type TaskChanges = z.infer<typeof TaskChanges>;

/** A task with its attempt history and changes: what `nexa tasks show` prints. */
export const TaskDetail = Task.extend({
  attempts: z.array(TaskAttempt),
  changes: TaskChanges.nullable(),
  /** The tasks it started, oldest first. */
  children: z.array(Task),
});
export type TaskDetail = z.infer<typeof TaskDetail>;
