import { authedProcedure, router } from '../trpc.js';

export const authRouter = router({
  /** Who the caller's token says it is; also how clients check a token before doing anything. */
  whoami: authedProcedure.query(({ ctx }) => ctx.principal),
});
