import { limits, TaskEvent } from '@nexa/core';
import { tracked } from '@trpc/server';
import { z } from 'zod';
import { readProcedure, registeredWorker, router, toTRPCError, workerProcedure } from '../trpc.js';

/** The most events one append may carry (SQLite caps bound variables per statement). */
export const MAX_EVENTS_PER_APPEND = 1000;

export const eventsRouter = router({
  /** A worker's batch of events for the attempt it holds; idempotent on (taskId, seq). */
  append: workerProcedure
    .input(
      z.object({
        taskId: z.string(),
        attempt: z.number().int().min(1),
        events: z.array(TaskEvent).min(1).max(MAX_EVENTS_PER_APPEND),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.events.append(registeredWorker(ctx), input)),

  /** One page of a task's log after `afterSeq`. */
  list: readProcedure
    .input(
      z.object({
        taskId: z.string(),
        afterSeq: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(limits.listing.rows).default(1000),
      }),
    )
    .query(async ({ ctx, input }) => {
      await ctx.services.tasks.mustRow(input.taskId);
      return ctx.services.events.list(input.taskId, input.afterSeq, input.limit);
    }),

  /**
   * The log from `afterSeq` (or the reconnecting client's `lastEventId`) to
   * the task's final status event, then the subscription completes.
   */
  tail: readProcedure
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
