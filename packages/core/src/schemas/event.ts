import { z } from 'zod';
import { Risk } from './approval.js';
import { TaskStatus } from './task.js';

/** What happened, without where it sits in the log. */
export const TaskEventBody = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('status'),
    status: TaskStatus,
    exitCode: z.number().int().nullable().optional(),
    reason: z.string().optional(),
  }),
  z.object({
    kind: z.literal('output'),
    stream: z.enum(['stdout', 'stderr']),
    data: z.string(),
  }),
  z.object({
    kind: z.literal('error'),
    message: z.string(),
  }),
  z.object({
    /** What the task changed in its working copy, against the commit it started from. */
    kind: z.literal('artifact'),
    branch: z.string(),
    base: z.string(),
    files: z.number().int(),
    insertions: z.number().int(),
    deletions: z.number().int(),
    /** `git diff --stat` text. */
    stat: z.string(),
    /** The full diff (cut at 1 MiB: `truncated` says so). */
    patch: z.string(),
    truncated: z.boolean(),
  }),
  z.object({
    /** Text the agent wrote for a person; `thought` is its reasoning, when it shares it. */
    kind: z.literal('agent_message'),
    text: z.string(),
    role: z.enum(['assistant', 'thought']).default('assistant'),
  }),
  z.object({
    /** The agent starts using a tool; `callId` pairs it with its result. */
    kind: z.literal('tool_call'),
    callId: z.string(),
    tool: z.string(),
    /** One readable line: "run `ls`", "edit src/a.ts". */
    title: z.string(),
    input: z.unknown().optional(),
  }),
  z.object({
    kind: z.literal('tool_result'),
    callId: z.string(),
    ok: z.boolean(),
    /** What the tool gave back, cut at 64 KiB. */
    output: z.string(),
  }),
  z.object({
    /** The agent asked for permission; `nexa approve APPROVAL_ID` answers it. */
    kind: z.literal('approval_requested'),
    approvalId: z.string(),
    tool: z.string(),
    action: z.string(),
    risk: Risk,
  }),
  z.object({
    kind: z.literal('approval_decided'),
    approvalId: z.string(),
    status: z.enum(['approved', 'denied', 'expired']),
    decidedBy: z.string(),
    rule: z.string().nullable().default(null),
    reason: z.string().nullable().default(null),
  }),
  z.object({
    /** Tokens and cost of the agent's run, as the agent reported them. */
    kind: z.literal('usage'),
    model: z.string().nullable().default(null),
    inputTokens: z.number().int().min(0),
    outputTokens: z.number().int().min(0),
    cacheReadTokens: z.number().int().min(0).default(0),
    cacheWriteTokens: z.number().int().min(0).default(0),
    costUsd: z.number().min(0).nullable().default(null),
  }),
]);
export type TaskEventBody = z.infer<typeof TaskEventBody>;
export type TaskEventKind = TaskEventBody['kind'];

/**
 * One entry of a task's append-only log. `seq` is assigned by the worker and
 * `(taskId, seq)` is unique, so a retried batch is idempotent.
 */
export const TaskEvent = z.intersection(
  TaskEventBody,
  z.object({
    seq: z.number().int().min(1),
    at: z.number().int(),
  }),
);
export type TaskEvent = z.infer<typeof TaskEvent>;

/** An event as readers get it from the coordinator: with the attempt that wrote it. */
export type StoredTaskEvent = TaskEvent & { attempt: number };
