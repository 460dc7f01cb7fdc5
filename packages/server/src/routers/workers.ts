import { RunningAttempt, WorkerRegistration } from '@nexa/core';
import { z } from 'zod';
import { procedure, registeredWorker, router, toTRPCError, workerRoles } from '../trpc.js';

export const workersRouter = router({
  /**
   * A worker's session: registers it, then delivers its messages (first
   * `registered`, then assignments and stops) until the connection ends or
   * the worker is declared lost.
   */
  connect: procedure({ roles: workerRoles, project: 'own' })
    .input(WorkerRegistration)
    .subscription(async function* ({ ctx, input, signal }) {
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

  /** Right after registering: the attempts the worker is running, so both sides agree. */
  reconcile: procedure({ roles: workerRoles, project: 'own' })
    .input(z.object({ running: z.array(RunningAttempt).max(10_000) }))
    .mutation(async ({ ctx, input }) => {
      const session = ctx.services.workers.session(registeredWorker(ctx));
      if (!session) return;
      await ctx.services.control.reconcile(session, input.running);
    }),

  /** The worker is alive and runs these tasks: their leases are renewed. */
  heartbeat: procedure({ roles: workerRoles, project: 'own' })
    .input(z.object({ running: z.array(z.string()).max(10_000) }))
    .mutation(({ ctx, input }) => ctx.services.workers.heartbeat(registeredWorker(ctx), input.running)),

  /** `nexa workers drain`: no new tasks for this worker, across reconnects; what it runs finishes. */
  drain: procedure({ roles: ['admin'], project: 'none' })
    .input(z.object({ id: z.string().min(1) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.workers.drain(input.id, true);
      return (await ctx.services.workers.list()).find((w) => w.id === input.id || w.name === input.id);
    }),

  /** `nexa workers undrain`: the worker takes new tasks again. */
  undrain: procedure({ roles: ['admin'], project: 'none' })
    .input(z.object({ id: z.string().min(1) }))
    .mutation(async ({ ctx, input }) => {
      const workerId = await ctx.services.workers.undrain(input.id);
      void ctx.services.scheduler.kick();
      return (await ctx.services.workers.list()).find((w) => w.id === workerId);
    }),

  /** A worker shutting down: no new tasks for this session. */
  leave: procedure({ roles: workerRoles, project: 'own' }).mutation(async ({ ctx }) => {
    await ctx.services.workers.drain(registeredWorker(ctx), false);
  }),

  list: procedure({ roles: ['admin', 'member', 'viewer'], project: 'listing' }).query(({ ctx }) =>
    ctx.services.workers.list(),
  ),

  /** The worker list now, then again whenever it changes (at most 4 times a second). */
  watch: procedure({ roles: ['admin', 'member', 'viewer'], project: 'listing' }).subscription(
    async function* ({ ctx, signal }) {
      try {
        yield* ctx.services.workerFeed.watch(signal, ctx.waitForDrain);
      } catch (error) {
        throw toTRPCError(error);
      }
    },
  ),
});
