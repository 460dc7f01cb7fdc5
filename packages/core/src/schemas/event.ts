import { z } from 'zod';
import { limits, tooLong } from '../limits.js';
import { Risk } from './approval.js';
import { boundedJson } from './boundedJson.js';
import { TaskStatus } from './task.js';

const { event: eventLimits } = limits;
/** A bounded string whose limit message names the field. */
const text = (field: string, max: number) => z.string().max(max, tooLong(field, max));
const id = (field: string) => text(field, eventLimits.idChars);
const prose = (field: string) => text(field, eventLimits.textChars);

/** What happened, without where it sits in the log. */
export const TaskEventBody = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('status'),
    status: TaskStatus,
    exitCode: z.number().int().nullable().optional(),
    reason: prose('status reason').optional(),
  }),
  z.object({
    kind: z.literal('output'),
    stream: z.enum(['stdout', 'stderr']),
    data: text('output data', eventLimits.outputChars),
  }),
  z.object({
    kind: z.literal('error'),
    message: prose('error message'),
  }),
  z.object({
    /** What the task changed in its working copy, against the commit it started from. */
    kind: z.literal('artifact'),
    branch: id('artifact branch'),
    base: id('artifact base'),
    files: z.number().int(),
    insertions: z.number().int(),
    deletions: z.number().int(),
    /** `git diff --stat` text. */
    stat: text('artifact stat', eventLimits.statChars),
    /** The full diff (cut at 1 MiB: `truncated` says so). */
    patch: text('artifact patch', eventLimits.patchChars),
    truncated: z.boolean(),
  }),
  z.object({
    /** Text the agent wrote for a person; `thought` is its reasoning, when it shares it. */
    kind: z.literal('agent_message'),
    text: prose('agent_message text'),
    role: z.enum(['assistant', 'thought']).default('assistant'),
  }),
  z.object({
    /** The agent starts using a tool; `callId` pairs it with its result. */
    kind: z.literal('tool_call'),
    callId: id('tool_call callId'),
    tool: id('tool_call tool'),
    /** One readable line: "run `ls`", "edit src/a.ts". */
    title: prose('tool_call title'),
    input: boundedJson('tool_call input', eventLimits.toolInputChars, eventLimits.jsonDepth).optional(),
  }),
  z.object({
    kind: z.literal('tool_result'),
    callId: id('tool_result callId'),
    ok: z.boolean(),
    /** What the tool gave back, cut at 64 KiB. */
    output: text('tool_result output', eventLimits.toolOutputChars),
  }),
  z.object({
    /** The agent asked for permission; `nexa approve APPROVAL_ID` answers it. */
    kind: z.literal('approval_requested'),
    approvalId: id('approvalId'),
    tool: id('approval tool'),
    action: prose('approval action'),
    risk: Risk,
  }),
  z.object({
    kind: z.literal('approval_decided'),
    approvalId: id('approvalId'),
    status: z.enum(['approved', 'denied', 'expired']),
    decidedBy: id('decidedBy'),
    rule: prose('rule').nullable().default(null),
    reason: prose('reason').nullable().default(null),
  }),
  z.object({
    /**
     * The agent's own session (Claude Code's session id, an ACP sessionId,
     * a Codex thread id): what `nexa continue` resumes.
     */
    kind: z.literal('session'),
    sessionId: id('sessionId'),
  }),
  z.object({
    /**
     * A connection out of the sandbox that the worker's egress proxy refused
     * (the host is not on the task's allowlist, or the task has no network).
     */
    kind: z.literal('egress'),
    host: id('egress host'),
    port: z.number().int().min(0).max(65_535),
    reason: prose('egress reason'),
  }),
  z.object({
    /** Tokens and cost of the agent's run, as the agent reported them. */
    kind: z.literal('usage'),
    model: id('usage model').nullable().default(null),
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
