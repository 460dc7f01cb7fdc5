import { limits, TaskSpec, TaskStatus } from '@nexa/core';
import { z } from 'zod';
import { taskFromRow } from '../services/taskRows.js';
import { memberProcedure, readProcedure, registeredWorker, router, workerProcedure } from '../trpc.js';

const taskId = z.object({ id: z.string().min(1) });

export const tasksRouter = router({
  submit: memberProcedure.input(TaskSpec).mutation(async ({ ctx, input }) => {
    const task = await ctx.services.tasks.submit(input, ctx.principal);
    void ctx.services.scheduler.kick();
    return task;
  }),

  list: readProcedure
    .input(
      z
        .object({
          status: TaskStatus.optional(),
          limit: z.number().int().min(1).max(limits.listing.rows).default(100),
        })
        .default({ limit: 100 }),
    )
    .query(async ({ ctx, input }) => {
      const { tasks, scheduler } = ctx.services;
      const rows = await tasks.listRows(input);
      const load = rows.some((row) => row.status === 'queued')
        ? await tasks.activeCountByWorker()
        : undefined;
      return Promise.all(
        rows.map(async (row) =>
          taskFromRow(
            row,
            ctx.principal,
            row.status === 'queued' ? await scheduler.explain(row, load) : null,
          ),
        ),
      );
    }),

  /** One task with its attempt history and, if queued, why it is waiting. */
  get: readProcedure.input(taskId).query(async ({ ctx, input }) => {
    const { tasks, scheduler } = ctx.services;
    const row = await tasks.mustRow(input.id);
    const waitingFor = row.status === 'queued' ? await scheduler.explain(row) : null;
    const artifact = await ctx.services.events.latest(row.id, 'artifact');
    const changes =
      artifact?.kind === 'artifact'
        ? (({ branch, base, files, insertions, deletions }) => ({
            branch,
            base,
            files,
            insertions,
            deletions,
          }))(artifact)
        : null;
    return {
      ...taskFromRow(row, ctx.principal, waitingFor),
      attempts: await tasks.attempts(row.id),
      changes,
    };
  }),

  cancel: memberProcedure.input(taskId).mutation(async ({ ctx, input }) => {
    await ctx.services.control.cancel(input.id, ctx.principal.subject);
    return taskFromRow(await ctx.services.tasks.mustRow(input.id), ctx.principal);
  }),

  retry: memberProcedure.input(taskId).mutation(async ({ ctx, input }) => {
    await ctx.services.control.retry(input.id);
    return taskFromRow(await ctx.services.tasks.mustRow(input.id), ctx.principal);
  }),

  /** A shutting-down worker gives back an attempt it stopped. */
  handBack: workerProcedure
    .input(z.object({ taskId: z.string(), attempt: z.number().int().min(1) }))
    .mutation(({ ctx, input }) => ctx.services.control.handBack(registeredWorker(ctx), input)),
});
