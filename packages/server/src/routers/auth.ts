import { procedure, router } from '../trpc.js';

export const authRouter = router({
  /** Who the caller's token says it is; also how clients check a token before doing anything. */
  whoami: procedure({ roles: ['admin', 'member', 'viewer', 'worker', 'task'], project: 'none' }).query(
    ({ ctx }) => ctx.principal,
  ),
});
