import { ProjectName } from '@nexa/core';
import { z } from 'zod';
import { procedure, router } from '../trpc.js';

const named = z.object({ name: ProjectName });

/** Projects scope tasks, threads, keys and secrets; members and viewers see only theirs. */
export const projectsRouter = router({
  /** `nexa projects create NAME`. */
  create: procedure({ roles: ['admin'], project: 'none' })
    .input(named)
    .mutation(async ({ ctx, input }) => {
      const project = await ctx.services.projects.create(input.name, ctx.principal.subject);
      void ctx.services.audit.record({
        action: 'project.created',
        actor: ctx.principal,
        target: input.name,
        project: input.name,
        from: ctx.remoteAddress,
      });
      return project;
    }),

  /** `nexa projects list`: every project to an admin, a member's or viewer's own to them. */
  list: procedure({ roles: ['admin', 'member', 'viewer'], project: 'listing' }).query(({ ctx }) =>
    ctx.services.projects.list(ctx.principal),
  ),

  /** `nexa projects rm NAME`: refused while it has unfinished tasks; its finished ones stay. */
  remove: procedure({ roles: ['admin'], project: 'none' })
    .input(named)
    .mutation(async ({ ctx, input }) => {
      const removed = await ctx.services.projects.remove(input.name);
      void ctx.services.audit.record({
        action: 'project.removed',
        actor: ctx.principal,
        target: input.name,
        project: input.name,
        from: ctx.remoteAddress,
      });
      return removed;
    }),
});
