import { NexaError, RunningAttempt, WorkerName, WorkerRegistration } from '@nexa/core';
import { z } from 'zod';
import type { Context } from '../context.js';
import { workersSeenBy } from '../services/workerFeed.js';
import { procedure, registeredWorker, router, toTRPCError, workerRoles } from '../trpc.js';

/** Audits a worker refused at the door (its name, labels or projects), then refuses it. */
async function refused(ctx: Context, name: string, error: unknown): Promise<never> {
  if (
    error instanceof NexaError &&
    ['forbidden', 'conflict', 'unauthorized', 'not_found'].includes(error.code)
  ) {
    await ctx.services.audit.record({
      action: 'worker.refused',
      actor: ctx.principal,
      target: name,
      from: ctx.remoteAddress,
      detail: error.message,
    });
  }
  throw toTRPCError(error);
}

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
        session = await ctx.services.workers.open(input, ctx.principal);
      } catch (error) {
        return await refused(ctx, input.name, error);
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

  /**
   * A worker presents its join token once and gets its own credential,
   * bound to this name, the join token's labels and projects.
   */
  join: procedure({ roles: ['worker'], project: 'none' })
    .input(z.object({ name: WorkerName }))
    .mutation(async ({ ctx, input }) => {
      if (!ctx.principal.join) {
        throw new NexaError('forbidden', 'only a join token can join a worker', {
          hint: 'make one: nexa token create --role worker --join',
        });
      }
      try {
        const joined = await ctx.services.workerCredentials.join(ctx.principal, input.name);
        await ctx.services.audit.record({
          action: 'worker.joined',
          actor: ctx.principal,
          target: `${joined.name} (${joined.workerId})`,
          from: ctx.remoteAddress,
          detail: `labels ${joined.labels ? JSON.stringify(joined.labels) : 'any'}; projects ${joined.projects?.join(',') ?? 'all'}`,
        });
        return joined;
      } catch (error) {
        return await refused(ctx, input.name, error);
      }
    }),

  /** `nexa workers revoke`: its credential stops working, it is disconnected now, its tasks run elsewhere. */
  revoke: procedure({ roles: ['admin'], project: 'none' })
    .input(z.object({ id: z.string().min(1).max(128) }))
    .mutation(async ({ ctx, input }) => {
      const { worker } = await ctx.services.workerRevocation.revoke(input.id);
      await ctx.services.audit.record({
        action: 'worker.revoked',
        actor: ctx.principal,
        target: `${worker.name} (${worker.id})`,
        from: ctx.remoteAddress,
      });
      return worker;
    }),

  /** The workers the caller sees: admins all; members and viewers those serving one of their projects. */
  list: procedure({ roles: ['admin', 'member', 'viewer'], project: 'listing' }).query(async ({ ctx }) =>
    workersSeenBy(ctx.principal, await ctx.services.workers.list()),
  ),

  /** The worker list now, then again whenever it changes (at most 4 times a second). */
  watch: procedure({ roles: ['admin', 'member', 'viewer'], project: 'listing' }).subscription(
    async function* ({ ctx, signal }) {
      try {
        yield* ctx.services.workerFeed.watch(ctx.principal, signal, ctx.waitForDrain);
      } catch (error) {
        throw toTRPCError(error);
      }
    },
  ),
});
