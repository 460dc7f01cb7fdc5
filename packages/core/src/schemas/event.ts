import { z } from 'zod';
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
