import { ApprovalStatus, limits, MessageBody, NexaError, UpdatedInput } from '@nexa/core';
import { z } from 'zod';
import { ApprovalRequestInput } from '../services/approvals.js';
import { canSee, mustSeeTask, taskVisibility, visibleProjects } from '../services/projectScope.js';
import { procedure, registeredWorker, router, toTRPCError, workerRoles } from '../trpc.js';

const noApproval = (id: string) =>
  new NexaError('not_found', `no approval ${id}`, { hint: 'list them with `nexa approvals list`' });

/** A person's decision as the audit log says it (an answer's text stays in the thread, not here). */
function decisionText(
  input: { text: string } | { approve: boolean; always: boolean; reason?: string },
): string {
  if ('text' in input) return 'answered the question';
  if (input.approve) return input.always ? 'approved, always for this task' : 'approved';
  return input.reason ? `denied: ${input.reason}` : 'denied';
}

export const approvalsRouter = router({
  /** A worker's agent asks for permission; the answer comes now (policy) or later as a `decision` message. */
  request: procedure({ roles: workerRoles, project: 'own' })
    .input(ApprovalRequestInput)
    .mutation(({ ctx, input }) => ctx.services.approvals.request(registeredWorker(ctx), input)),

  /** The queue, newest first: every request, or only some statuses, of all tasks or one. */
  list: procedure({ roles: ['admin', 'member', 'viewer'], project: 'listing' })
    .input(
      z
        .object({
          status: z.array(ApprovalStatus).optional(),
          taskId: z.string().optional(),
          limit: z.number().int().min(1).max(limits.listing.rows).default(100),
        })
        .default({ limit: 100 }),
    )
    .query(async ({ ctx, input }) => {
      const { principal, services } = ctx;
      if (input.taskId) await mustSeeTask(services.tasks, principal, input.taskId);
      return services.approvals.list({ ...input, projects: visibleProjects(principal) });
    }),

  /**
   * `nexa approve ID [--always]` and `nexa deny ID --reason` ({id, approve});
   * an `ask_human` question is answered with text instead ({id, text}): the
   * answer is posted in the task's thread, replying to the question.
   */
  answer: procedure({ roles: ['admin', 'member'], project: 'row' })
    .input(
      z.union([
        z.object({ id: z.string().min(1), text: MessageBody }).strict(),
        z.object({
          id: z.string().min(1),
          approve: z.boolean(),
          always: z.boolean().default(false),
          reason: z.string().max(2000).optional(),
          updatedInput: UpdatedInput.optional(),
        }),
      ]),
    )
    .mutation(async ({ ctx, input }) => {
      const { approvals, authors, tasks } = ctx.services;
      const row = await approvals.row(input.id);
      if (!row || !(await canSee(tasks, ctx.principal, row.taskId))) throw noApproval(input.id);
      const decided =
        'text' in input
          ? await approvals.answerQuestion(input.id, input.text, await authors.of(ctx.principal))
          : await approvals.answer(input.id, { ...input, by: ctx.principal.subject });
      await ctx.services.audit.record({
        action: 'approval.decided',
        actor: ctx.principal,
        target: input.id,
        project: (await tasks.mustRow(row.taskId)).project,
        from: ctx.remoteAddress,
        detail: `task ${row.taskId}: ${decisionText(input)}`,
      });
      return decided;
    }),

  /** Every new request and every decision from now on. */
  watch: procedure({ roles: ['admin', 'member', 'viewer'], project: 'listing' }).subscription(
    async function* ({ ctx, signal }) {
      const watcher = ctx.services.approvals.watch();
      signal?.addEventListener('abort', () => watcher.close(), { once: true });
      const visible = taskVisibility(ctx.services.tasks, ctx.principal);
      try {
        for await (const approval of watcher.queue) {
          if (!(await visible(approval.taskId))) continue;
          await ctx.waitForDrain(); // a reader that stops reading leaves changes in the bounded queue, not the socket
          yield approval;
        }
        if (watcher.queue.overflowed) {
          throw new NexaError('unavailable', 'this watch fell behind the approvals queue and was stopped', {
            hint: 'watch again: it starts from the current list (nexa approvals list --watch)',
          });
        }
      } catch (error) {
        throw toTRPCError(error);
      } finally {
        watcher.close();
      }
    },
  ),
});
