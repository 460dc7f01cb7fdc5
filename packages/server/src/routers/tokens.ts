import { Role } from '@nexa/core';
import { z } from 'zod';
import { adminProcedure, router } from '../trpc.js';

export const tokensRouter = router({
  create: adminProcedure
    .input(
      z.object({
        role: Role.exclude(['task']),
        subject: z.string().min(1).max(128).optional(),
        ttlSeconds: z.number().int().positive().optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.services.tokens.issue(input.role, input.subject ?? input.role, input.ttlSeconds),
    ),
});
