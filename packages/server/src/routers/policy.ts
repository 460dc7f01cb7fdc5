import { Policy } from '@nexa/core';
import { procedure, router } from '../trpc.js';

/** The project's approval policy: checked after a task's own rules, before its --approve mode. */
export const policyRouter = router({
  show: procedure({ roles: ['admin', 'member', 'viewer'], project: 'none' }).query(({ ctx }) =>
    ctx.services.policies.show('project'),
  ),

  set: procedure({ roles: ['admin'], project: 'none' })
    .input(Policy)
    .mutation(async ({ ctx, input }) => {
      const { database, policies } = ctx.services;
      await database.writes.run((writer) =>
        policies.replace(writer, 'project', input.rules, ctx.principal.subject),
      );
      await ctx.services.audit.record({
        action: 'policy.set',
        actor: ctx.principal,
        target: 'project policy',
        from: ctx.remoteAddress,
        detail: `${input.rules.length} rule(s)`,
      });
      return policies.show('project');
    }),
});
