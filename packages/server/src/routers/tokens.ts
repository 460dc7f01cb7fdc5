import { randomBytes } from 'node:crypto';
import { Role } from '@nexa/core';
import { z } from 'zod';
import { procedure, router } from '../trpc.js';

/**
 * Who holds a token when its creator names nobody: the role, who made it and
 * a few characters of its id, so two tokens of one role are never the same
 * subject (tasks.createdBy, audit, and who may see a task's env go by it).
 */
function defaultSubject(role: Role, creator: string): string {
  return `${role}@${creator}-${randomBytes(3).toString('hex')}`;
}

export const tokensRouter = router({
  create: procedure({ roles: ['admin'], project: 'none' })
    .input(
      z.object({
        role: Role.exclude(['task']),
        subject: z.string().min(1).max(128).optional(),
        ttlSeconds: z
          .number()
          .int()
          .positive()
          .max(10 * 365 * 86_400, 'a token lives at most 10 years (ttlSeconds ≤ 315360000)')
          .optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.services.tokens.issue(
        input.role,
        input.subject ?? defaultSubject(input.role, ctx.principal.subject),
        input.ttlSeconds,
        ctx.principal.subject,
      ),
    ),

  /** Every token: id (jti), role, subject, when made, expires and was revoked; never the token itself. */
  list: procedure({ roles: ['admin'], project: 'none' }).query(({ ctx }) => ctx.services.tokens.list()),

  /** Revokes a token at once: its requests are refused and its open connections closed. */
  revoke: procedure({ roles: ['admin'], project: 'none' })
    .input(z.object({ id: z.string().min(1).max(128) }))
    .mutation(({ ctx, input }) => ctx.services.tokens.revoke(input.id)),
});
