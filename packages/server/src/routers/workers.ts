import { WorkerRegistration } from '@nexa/core';
import { readProcedure, registeredWorker, router, toTRPCError, workerProcedure } from '../trpc.js';

export const workersRouter = router({
  /**
   * A worker's session: registers it, then delivers its messages (first
   * `registered`, then assignments) until the connection ends.
   */
  connect: workerProcedure.input(WorkerRegistration).subscription(async function* ({ ctx, input, signal }) {
    let session: Awaited<ReturnType<typeof ctx.services.workers.open>>;
    try {
      session = await ctx.services.workers.open(input);
    } catch (error) {
      throw toTRPCError(error);
    }
    ctx.connection.workerId = session.workerId;
    const stop = () => session.messages.end();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      void ctx.services.scheduler.kick();
      for await (const message of session.messages) yield message;
    } finally {
      signal?.removeEventListener('abort', stop);
      await ctx.services.workers.close(session);
    }
  }),

  heartbeat: workerProcedure.mutation(({ ctx }) => ctx.services.workers.heartbeat(registeredWorker(ctx))),

  list: readProcedure.query(({ ctx }) => ctx.services.workers.list()),
});
