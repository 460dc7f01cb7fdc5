import { ProjectName } from '@nexa/core';
import { z } from 'zod';
import { visibleProjects } from '../services/projectScope.js';
import { procedure, router } from '../trpc.js';

export const presenceRouter = router({
  /** `nexa who`: people, workers and running agents (a task token sees its own project's agents). */
  who: procedure({ roles: ['admin', 'member', 'viewer', 'task'], project: 'input' })
    .input(z.object({ project: ProjectName.optional() }).default({}))
    .query(async ({ ctx, input }) => {
      const { principal, services } = ctx;
      // Agents of the project named (a task token: its own), else of all the caller's projects.
      const named =
        principal.task || input.project ? await services.projects.scope(principal, input.project) : undefined;
      return services.presence.who(named ? [named] : visibleProjects(principal));
    }),
});
