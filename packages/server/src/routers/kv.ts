import { KvKey, KvSetInput, limits, ProjectName } from '@nexa/core';
import { z } from 'zod';
import { procedure, router, toTRPCError } from '../trpc.js';

const project = ProjectName.optional();
const ifVersion = z.number().int().min(0).optional();

export const kvRouter = router({
  /** A key's entry, or null. */
  get: procedure({ roles: ['admin', 'member', 'viewer', 'task'], project: 'input' })
    .input(z.object({ project, key: KvKey }))
    .query(async ({ ctx, input }) =>
      ctx.services.kv.get(await ctx.services.projects.scope(ctx.principal, input.project), input.key),
    ),

  /** `nexa kv set KEY JSON [--if-version N]`: a conflict names the key's current version. */
  set: procedure({ roles: ['admin', 'member', 'task'], project: 'input' })
    .input(
      KvSetInput.extend({ project }).refine((input) => input.value !== undefined, {
        message: 'a value is needed (any JSON: "text", 3, true, {"a": 1}, null)',
        path: ['value'],
      }),
    )
    .mutation(async ({ ctx, input }) =>
      ctx.services.kv.set(
        await ctx.services.projects.scopeForWrite(ctx.principal, input.project),
        input.key,
        // A task's own secrets never go into a key others read.
        ctx.principal.task
          ? await ctx.services.taskSecrets.redactWritten(ctx.principal.task.id, input.value)
          : input.value,
        input.ifVersion,
        ctx.principal.subject,
      ),
    ),

  /** Keys in key order, optionally those starting with a prefix. */
  list: procedure({ roles: ['admin', 'member', 'viewer', 'task'], project: 'input' })
    .input(
      z
        .object({
          project,
          prefix: z.string().max(limits.conversation.kvKeyChars).optional(),
          limit: z.number().int().min(1).max(limits.listing.rows).default(1000),
        })
        .default({ limit: 1000 }),
    )
    .query(async ({ ctx, input }) =>
      ctx.services.kv.list(
        await ctx.services.projects.scope(ctx.principal, input.project),
        { prefix: input.prefix },
        input.limit,
      ),
    ),

  remove: procedure({ roles: ['admin', 'member', 'task'], project: 'input' })
    .input(z.object({ project, key: KvKey, ifVersion }))
    .mutation(async ({ ctx, input }) =>
      ctx.services.kv.remove(
        await ctx.services.projects.scopeForWrite(ctx.principal, input.project),
        input.key,
        input.ifVersion,
      ),
    ),

  /** Every matching entry now, as `set`, then each change as it happens. */
  watch: procedure({ roles: ['admin', 'member', 'viewer', 'task'], project: 'input' })
    .input(
      z
        .object({
          project,
          key: KvKey.optional(),
          prefix: z.string().max(limits.conversation.kvKeyChars).optional(),
        })
        .default({}),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      try {
        const where = await ctx.services.projects.scope(ctx.principal, input.project);
        for await (const change of ctx.services.kv.watch(where, input, signal)) {
          await ctx.waitForDrain();
          yield change;
        }
      } catch (error) {
        throw toTRPCError(error);
      }
    }),
});
