import { ProjectName } from '@nexa/core';
import { z } from 'zod';
import { projectFor } from '../services/projectScope.js';
import { procedure, router } from '../trpc.js';

export const presenceRouter = router({
  /** `nexa who`: people, workers and running agents (a task token sees its own project's agents). */
  who: procedure({ roles: ['admin', 'member', 'viewer', 'task'], project: 'input' })
    .input(z.object({ project: ProjectName.optional() }).default({}))
    .query(({ ctx, input }) => {
      const project = ctx.principal.task ? projectFor(ctx.principal, input.project) : input.project;
      return ctx.services.presence.who(project);
    }),
});
