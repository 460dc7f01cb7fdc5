import { AuditAction, limits, ProjectName } from '@nexa/core';
import { z } from 'zod';
import { noProject, sees, visibleProjects } from '../services/projectScope.js';
import { procedure, router } from '../trpc.js';

const listInput = z
  .object({
    /** Entries at or after this time (epoch ms). */
    sinceMs: z.number().int().min(0).optional(),
    project: ProjectName.optional(),
    action: AuditAction.optional(),
    /** From the last entry of the previous page: the entries before it. */
    beforeId: z.number().int().min(1).optional(),
    limit: z.number().int().min(1).max(limits.audit.rows).default(100),
  })
  .default({ limit: 100 });

/** `nexa audit`: who did what, when, from where. */
export const auditRouter = router({
  /**
   * Newest first. An admin reads every entry; a member only those of its
   * projects (never the coordinator-wide ones: failed logins, policy, limits),
   * and a project it is not in is not found, as one that does not exist.
   */
  list: procedure({ roles: ['admin', 'member'], project: 'listing' })
    .input(listInput)
    .query(({ ctx, input }) => {
      if (input.project !== undefined && !sees(ctx.principal, input.project)) throw noProject(input.project);
      const projects = visibleProjects(ctx.principal);
      return ctx.services.audit.list({ ...input, ...(projects === null ? {} : { projects }) });
    }),
});
