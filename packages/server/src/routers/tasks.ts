import { limits, type Principal, type Task, TaskSpec, TaskStatus } from '@nexa/core';
import { tracked } from '@trpc/server';
import { z } from 'zod';
import type { Services } from '../services/index.js';
import { decodeCursor, encodeCursor, ListingCursor, type ListingPage } from '../services/listingCursor.js';
import {
  memberProcedure,
  readProcedure,
  registeredWorker,
  router,
  toTRPCError,
  workerProcedure,
} from '../trpc.js';

const taskId = z.object({ id: z.string().min(1) });

const listInput = z
  .object({
    status: TaskStatus.optional(),
    limit: z.number().int().min(1).max(limits.listing.rows).default(100),
    /** From the previous page's nextCursor: the page after it. */
    cursor: ListingCursor.optional(),
  })
  .default({ limit: 100 });

async function taskPage(
  ctx: { services: Services; principal: Principal },
  input: z.output<typeof listInput>,
): Promise<ListingPage<Task>> {
  const { rows, next } = await ctx.services.tasks.listRows({
    status: input.status,
    limit: input.limit,
    after: input.cursor === undefined ? undefined : decodeCursor(input.cursor),
  });
  return {
    items: await ctx.services.views.present(rows, ctx.principal),
    nextCursor: next && encodeCursor(next),
  };
}

export const tasksRouter = router({
  submit: memberProcedure.input(TaskSpec).mutation(async ({ ctx, input }) => {
    const task = await ctx.services.tasks.submit(input, ctx.principal);
    void ctx.services.scheduler.kick();
    return task;
  }),

  /** The newest tasks (see `page` for the cursor of the next page). */
  list: readProcedure.input(listInput).query(async ({ ctx, input }) => (await taskPage(ctx, input)).items),

  /** One page of tasks, newest first, and the cursor of the next (null: the last page). */
  page: readProcedure.input(listInput).query(({ ctx, input }) => taskPage(ctx, input)),

  /**
   * The live task list: a snapshot (every unfinished task and the latest
   * finished), then each task as it changes, tracked by its change cursor so
   * a reconnect resumes with `lastEventId`; `activity` messages (untracked)
   * carry running tasks' last line and cost, at most 4 a second.
   */
  watch: readProcedure
    .input(
      z
        .object({
          lastEventId: z
            .string()
            .regex(/^\d{1,15}$/, 'a cursor from tasks.watch')
            .nullish(),
        })
        .default({}),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      const after = input.lastEventId ? Number(input.lastEventId) : null;
      try {
        for await (const message of ctx.services.taskFeed.watch(
          ctx.principal,
          after,
          signal,
          ctx.waitForDrain,
        )) {
          // The activity of running tasks is untracked: it has no cursor to resume from.
          if (message.type === 'activity') yield message;
          else yield tracked(String(message.cursor), message);
        }
      } catch (error) {
        throw toTRPCError(error);
      }
    }),

  /** One task with its attempt history and, if queued, why it is waiting. */
  get: readProcedure.input(taskId).query(async ({ ctx, input }) => {
    const { tasks, views } = ctx.services;
    const row = await tasks.mustRow(input.id);
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
      ...(await views.one(row, ctx.principal)),
      attempts: await tasks.attempts(row.id),
      changes,
      children: [], // sub-tasks: filled in by the conversation work (issue 11)
    };
  }),

  cancel: memberProcedure.input(taskId).mutation(async ({ ctx, input }) => {
    await ctx.services.control.cancel(input.id, ctx.principal.subject);
    return ctx.services.views.one(await ctx.services.tasks.mustRow(input.id), ctx.principal);
  }),

  retry: memberProcedure.input(taskId).mutation(async ({ ctx, input }) => {
    await ctx.services.control.retry(input.id);
    return ctx.services.views.one(await ctx.services.tasks.mustRow(input.id), ctx.principal);
  }),

  /** A shutting-down worker gives back an attempt it stopped. */
  handBack: workerProcedure
    .input(z.object({ taskId: z.string(), attempt: z.number().int().min(1) }))
    .mutation(({ ctx, input }) => ctx.services.control.handBack(registeredWorker(ctx), input)),
});
