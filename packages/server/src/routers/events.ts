import { limits, NexaError, TaskEvent } from '@nexa/core';
import { tracked } from '@trpc/server';
import { z } from 'zod';
import { mustSeeTask } from '../services/projectScope.js';
import { procedure, registeredWorker, router, toTRPCError, workerRoles } from '../trpc.js';

/** The most events one append may carry (SQLite caps bound variables per statement). */
export const MAX_EVENTS_PER_APPEND = 1000;

/** The most tasks' batches one appendMany may carry, and the most events in all. */
export const MAX_BATCHES_PER_CALL = 256;
export const MAX_EVENTS_PER_CALL = 4000;

const AppendInput = z.object({
  taskId: z.string(),
  attempt: z.number().int().min(1),
  events: z
    .array(TaskEvent)
    .min(1)
    .max(MAX_EVENTS_PER_APPEND)
    // A worker numbers its events one by one. The store keeps only seqs after the last stored
    // one and trusts the rest to be new: a batch repeating or skipping a seq would publish to
    // live readers what the database does not hold.
    .refine(
      (events) => events.every((event, i) => i === 0 || event.seq === (events[i - 1] as TaskEvent).seq + 1),
      'events must have consecutive seqs (each one more than the one before)',
    ),
});

/** One batch's answer in an appendMany: its ack, or why it was refused (the error a lone append would get). */
function answerOf(settled: PromiseSettledResult<{ ackedSeq: number }>) {
  if (settled.status === 'fulfilled') return { ackedSeq: settled.value.ackedSeq };
  const error = settled.reason;
  return error instanceof NexaError
    ? { error: { code: error.code, message: error.message } }
    : { error: { code: 'internal' as const, message: String((error as Error)?.message ?? error) } };
}

export const eventsRouter = router({
  /** A worker's batch of events for the attempt it holds; idempotent on (taskId, seq). */
  append: procedure({ roles: workerRoles, project: 'own' })
    .input(AppendInput)
    .mutation(({ ctx, input }) => ctx.services.events.append(registeredWorker(ctx), input)),

  /**
   * The batches of several tasks in one call, each answered on its own (ack
   * or refusal) in order. A worker running many tasks sends one message per
   * flush instead of one per task: a thousand streaming tasks were a thousand
   * messages, parses and replies every 50 ms.
   */
  appendMany: procedure({ roles: workerRoles, project: 'own' })
    .input(
      z.object({
        batches: z
          .array(AppendInput)
          .min(1)
          .max(MAX_BATCHES_PER_CALL)
          .refine(
            (batches) =>
              batches.reduce((total, batch) => total + batch.events.length, 0) <= MAX_EVENTS_PER_CALL,
            `batches hold more than the limit of ${MAX_EVENTS_PER_CALL} events in all`,
          ),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const workerId = registeredWorker(ctx);
      const settled = await Promise.allSettled(
        input.batches.map((batch) => ctx.services.events.append(workerId, batch)),
      );
      return settled.map(answerOf);
    }),

  /** One page of a task's log after `afterSeq`. */
  list: procedure({ roles: ['admin', 'member', 'viewer'], project: 'row' })
    .input(
      z.object({
        taskId: z.string(),
        afterSeq: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(limits.listing.rows).default(1000),
      }),
    )
    .query(async ({ ctx, input }) => {
      await mustSeeTask(ctx.services.tasks, ctx.principal, input.taskId);
      return ctx.services.events.list(input.taskId, input.afterSeq, input.limit);
    }),

  /**
   * The log from `afterSeq` (or the reconnecting client's `lastEventId`) to
   * the task's final status event, then the subscription completes.
   */
  tail: procedure({ roles: ['admin', 'member', 'viewer'], project: 'row' })
    .input(
      z.object({
        taskId: z.string(),
        afterSeq: z.number().int().min(0).default(0),
        lastEventId: z.string().nullish(),
      }),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      const resumeFrom = input.lastEventId ? Number(input.lastEventId) : input.afterSeq;
      try {
        await mustSeeTask(ctx.services.tasks, ctx.principal, input.taskId);
        for await (const event of ctx.services.events.tail(
          input.taskId,
          resumeFrom,
          signal,
          ctx.waitForDrain,
        )) {
          yield tracked(String(event.seq), event);
        }
      } catch (error) {
        throw toTRPCError(error);
      }
    }),
});
