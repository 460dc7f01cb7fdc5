import { limits, MessageBody, PostMessageInput, ProjectName, ThreadTitle } from '@nexa/core';
import { tracked } from '@trpc/server';
import { z } from 'zod';
import { decodeCursor, encodeCursor, ListingCursor } from '../services/listingCursor.js';
import { threadFromRow } from '../services/threadRows.js';
import { procedure, router, toTRPCError } from '../trpc.js';

const threadId = z.string().min(1).max(64);

export const threadsRouter = router({
  /** `nexa threads create TITLE`: a free thread in the project. */
  create: procedure({ roles: ['admin', 'member', 'task'], project: 'input' })
    .input(z.object({ project: ProjectName.optional(), title: ThreadTitle }))
    .mutation(async ({ ctx, input }) =>
      ctx.services.threads.create(
        await ctx.services.projects.scopeForWrite(ctx.principal, input.project),
        input.title,
        ctx.principal.subject,
      ),
    ),

  /** A project's threads, newest activity first, and the cursor of the next page (null: the last). */
  list: procedure({ roles: ['admin', 'member', 'viewer', 'task'], project: 'input' })
    .input(
      z
        .object({
          project: ProjectName.optional(),
          limit: z.number().int().min(1).max(limits.listing.rows).default(100),
          cursor: ListingCursor.optional(),
        })
        .default({ limit: 100 }),
    )
    .query(async ({ ctx, input }) => {
      const page = await ctx.services.threads.list(
        await ctx.services.projects.scope(ctx.principal, input.project),
        input.limit,
        input.cursor === undefined ? undefined : decodeCursor(input.cursor),
      );
      return { items: page.items, nextCursor: page.next && encodeCursor(page.next) };
    }),

  /** A thread and its messages after `afterSeq`, oldest first. */
  get: procedure({ roles: ['admin', 'member', 'viewer', 'task'], project: 'row' })
    .input(
      z.object({
        threadId,
        afterSeq: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(limits.listing.rows).default(1000),
      }),
    )
    .query(async ({ ctx, input }) => {
      const { threads } = ctx.services;
      const row = await threads.mustThread(input.threadId, ctx.principal);
      const messages = await threads.messagesAfter(row.id, input.afterSeq, input.limit);
      return { thread: threadFromRow(row), messages };
    }),

  /** `nexa say THREAD "text"`: the author is the caller (a person, or the task's agent). */
  post: procedure({ roles: ['admin', 'member', 'task'], project: 'row' })
    .input(PostMessageInput)
    .mutation(({ ctx, input }) => ctx.services.threads.post(ctx.principal, input)),

  /** `nexa thread watch ID`: the messages after `lastEventId` (a seq), then live; no gap, no duplicate. */
  watch: procedure({ roles: ['admin', 'member', 'viewer', 'task'], project: 'row' })
    .input(
      z.object({
        threadId,
        lastEventId: z
          .string()
          .regex(/^\d{1,15}$/, 'a seq from threads.watch')
          .nullish(),
      }),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      try {
        const thread = await ctx.services.threads.mustThread(input.threadId, ctx.principal);
        const after = input.lastEventId ? Number(input.lastEventId) : 0;
        for await (const message of ctx.services.threads.watch(thread.id, after, signal, ctx.waitForDrain)) {
          yield tracked(String(message.seq), message);
        }
      } catch (error) {
        throw toTRPCError(error);
      }
    }),

  /**
   * An agent's `ask_human`: a `request` in its own thread and a question in
   * the approvals queue, answered with text (approvals.answer {id, text}).
   */
  ask: procedure({ roles: ['task'], project: 'own' })
    .input(z.object({ question: MessageBody }))
    .mutation(async ({ ctx, input }) => {
      const { authors, approvals } = ctx.services;
      const task = await authors.taskOf(ctx.principal);
      if (!task) throw new Error('a task token without its task'); // taskProcedure admits only task tokens
      const question = await ctx.services.taskSecrets.redactWritten(task.id, input.question);
      return approvals.ask(task, await authors.of(ctx.principal, task), question);
    }),
});
