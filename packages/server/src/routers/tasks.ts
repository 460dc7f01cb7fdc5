import { TaskSpec, TaskStatus } from '@nexa/core';
import { z } from 'zod';
import { memberProcedure, readProcedure, router } from '../trpc.js';

export const tasksRouter = router({
  submit: memberProcedure.input(TaskSpec).mutation(async ({ ctx, input }) => {
    const task = await ctx.services.tasks.submit(input, ctx.principal);
    void ctx.services.scheduler.kick();
    return task;
  }),

  list: readProcedure
    .input(
      z
        .object({ status: TaskStatus.optional(), limit: z.number().int().min(1).max(10_000).default(100) })
        .default({ limit: 100 }),
    )
    .query(({ ctx, input }) => ctx.services.tasks.list(input)),

  get: readProcedure
    .input(z.object({ id: z.string() }))
    .query(({ ctx, input }) => ctx.services.tasks.get(input.id)),
});
