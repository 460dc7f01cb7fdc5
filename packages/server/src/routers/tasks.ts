import {
  limits,
  MessageBody,
  type NetworkMode,
  NexaError,
  type Principal,
  ProjectName,
  type Task,
  TaskSpec,
  TaskStatus,
} from '@nexa/core';
import { tracked } from '@trpc/server';
import { z } from 'zod';
import type { Services } from '../services/index.js';
import { decodeCursor, encodeCursor, ListingCursor, type ListingPage } from '../services/listingCursor.js';
import { mustSeeTask, visibleProjects } from '../services/projectScope.js';
import type { TaskRow } from '../services/taskRows.js';
import { procedure, registeredWorker, router, toTRPCError, workerRoles } from '../trpc.js';

const taskId = z.object({ id: z.string().min(1) });

const listInput = z
  .object({
    status: TaskStatus.optional(),
    /** One project's tasks (a task token: its own, always). */
    project: ProjectName.optional(),
    /** The tasks one task started. */
    parentId: z.string().min(1).max(64).optional(),
    limit: z.number().int().min(1).max(limits.listing.rows).default(100),
    /** From the previous page's nextCursor: the page after it. */
    cursor: ListingCursor.optional(),
  })
  .default({ limit: 100 });

async function taskPage(
  ctx: { services: Services; principal: Principal },
  input: z.output<typeof listInput>,
): Promise<ListingPage<Task>> {
  const { principal, services } = ctx;
  // A task token lists its own project's; anyone else the project named, else all of theirs.
  const named =
    principal.task || input.project ? await services.projects.scope(principal, input.project) : undefined;
  const { rows, next } = await services.tasks.listRows({
    status: input.status,
    project: named,
    projects: named ? null : visibleProjects(principal),
    parentId: input.parentId,
    limit: input.limit,
    after: input.cursor === undefined ? undefined : decodeCursor(input.cursor),
  });
  return {
    items: await services.views.present(rows, principal),
    nextCursor: next && encodeCursor(next),
  };
}

/** A task the caller may see: another project's is not found, as a missing one. */
function visibleTask(ctx: { services: Services; principal: Principal }, id: string): Promise<TaskRow> {
  return mustSeeTask(ctx.services.tasks, ctx.principal, id);
}

/** How far each network mode reaches, to compare a child's with its parent's. */
const networkReach: Record<NetworkMode, number> = { none: 0, allowlist: 1, open: 2 };

/**
 * What a task may not give the task it starts: more than it has itself. An
 * agent in a sandbox must not reach the worker's host, a network, another
 * repository on the worker, or approvals it was not given, through a child.
 */
const widerThanParent: Array<{ wider: (parent: TaskRow, child: TaskSpec) => boolean; what: string }> = [
  {
    wider: (parent, child) => child.sandbox === 'process' && parent.sandbox !== 'process',
    what: 'run it as a plain process (sandbox process)',
  },
  {
    wider: (parent, child) => networkReach[child.network] > networkReach[parent.egress],
    what: 'give it more network than its own',
  },
  {
    wider: (parent, child) => child.allowHosts.some((host) => !parent.allowHosts.includes(host)),
    what: 'allow it a host its own allowlist lacks',
  },
  {
    wider: (parent, child) => child.secrets.some((name) => !parent.secrets.includes(name)),
    what: 'give it a secret it was not given',
  },
  {
    wider: (parent, child) => child.repo !== null && child.repo !== parent.repo,
    what: `give it a repository other than its own`,
  },
  {
    wider: (parent, child) => child.approve === 'all' && parent.approve !== 'all',
    what: 'approve everything it asks (--approve all)',
  },
  {
    wider: (parent, child) =>
      parent.approve !== 'all' && (child.policy?.rules ?? []).some((rule) => rule.decision === 'allow'),
    what: 'give it a policy that allows actions',
  },
  { wider: (parent, child) => child.priority > parent.priority, what: 'give it a higher priority' },
];

function refuseWiderChild(parent: TaskRow, child: TaskSpec): void {
  const wider = widerThanParent.find((rule) => rule.wider(parent, child));
  if (wider) {
    throw new NexaError(
      'forbidden',
      `task ${parent.id} may not start a task that can do more than it can: ${wider.what}`,
      { hint: 'start it with the same sandbox, network, repository and approvals as the parent' },
    );
  }
}

export const tasksRouter = router({
  /**
   * Queues a task. A task token starts a sub-task: its parent is the
   * caller's task and its project the caller's, within the depth and
   * children limits.
   */
  submit: procedure({ roles: ['admin', 'member', 'task'], project: 'input' })
    // TaskSpec fills in `default` for a project left out; the caller's own default is projectFor's to choose.
    .use(async ({ getRawInput, next }) => {
      const raw = await getRawInput();
      const project =
        typeof raw === 'object' && raw !== null ? (raw as { project?: unknown }).project : undefined;
      return next({ ctx: { requestedProject: typeof project === 'string' ? project : undefined } });
    })
    .input(TaskSpec)
    .mutation(async ({ ctx, input }) => {
      ctx.services.rates.admitSubmission(ctx.principal, ctx.remoteAddress);
      const { tasks, authors, projects } = ctx.services;
      const parent = await authors.taskOf(ctx.principal);
      if (parent) refuseWiderChild(parent, input);
      const author = await authors.of(ctx.principal, parent);
      // Checked last, just before the write: a project being removed is already gone from the check.
      // A sub-task joins its parent's project, whatever its spec names (as it always has).
      const requested = parent ? undefined : ctx.requestedProject;
      const project = await projects.scopeForWrite(ctx.principal, requested);
      await ctx.services.secrets.checkNamed(project, input.secrets, input.env);
      // A sub-task's prompt, command and env carry none of its parent's secret values (it names them instead).
      const spec = parent ? await ctx.services.taskSecrets.redactWritten(parent.id, input) : input;
      const task = await tasks.submit({ ...spec, project }, ctx.principal, {
        author,
        parent,
      });
      void ctx.services.scheduler.kick();
      return task;
    }),

  /** The newest tasks (see `page` for the cursor of the next page). */
  list: procedure({ roles: ['admin', 'member', 'viewer', 'task'], project: 'listing' })
    .input(listInput)
    .query(async ({ ctx, input }) => (await taskPage(ctx, input)).items),

  /** One page of tasks, newest first, and the cursor of the next (null: the last page). */
  page: procedure({ roles: ['admin', 'member', 'viewer', 'task'], project: 'listing' })
    .input(listInput)
    .query(({ ctx, input }) => taskPage(ctx, input)),

  /**
   * The live task list: a snapshot (every unfinished task and the latest
   * finished), then each task as it changes, tracked by its change cursor so
   * a reconnect resumes with `lastEventId`; `activity` messages (untracked)
   * carry running tasks' last line and cost, at most 4 a second.
   */
  watch: procedure({ roles: ['admin', 'member', 'viewer'], project: 'listing' })
    .input(
      z
        .object({
          lastEventId: z
            .string()
            .regex(/^\d{1,15}$/, 'a cursor from tasks.watch')
            .nullish(),
        })
        .default({}),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      const after = input.lastEventId ? Number(input.lastEventId) : null;
      try {
        for await (const message of ctx.services.taskFeed.watch(
          ctx.principal,
          after,
          signal,
          ctx.waitForDrain,
        )) {
          // The activity of running tasks is untracked: it has no cursor to resume from.
          if (message.type === 'activity') yield message;
          else yield tracked(String(message.cursor), message);
        }
      } catch (error) {
        throw toTRPCError(error);
      }
    }),

  /** One task with its attempt history, the tasks it started and, if queued, why it is waiting. */
  get: procedure({ roles: ['admin', 'member', 'viewer', 'task'], project: 'row' })
    .input(taskId)
    .query(async ({ ctx, input }) => {
      const { tasks, views } = ctx.services;
      const row = await visibleTask(ctx, input.id);
      const artifact = await ctx.services.events.latest(row.id, 'artifact');
      const changes =
        artifact?.kind === 'artifact'
          ? (({ branch, base, files, insertions, deletions }) => ({
              branch,
              base,
              files,
              insertions,
              deletions,
            }))(artifact)
          : null;
      return {
        ...(await views.one(row, ctx.principal)),
        attempts: await tasks.attempts(row.id),
        changes,
        children: await views.present(await tasks.children(row.id), ctx.principal),
      };
    }),

  /** A task and its agent's last message: what a parent reads of a child that ended. */
  result: procedure({ roles: ['admin', 'member', 'viewer', 'task'], project: 'row' })
    .input(taskId)
    .query(async ({ ctx, input }) => {
      const row = await visibleTask(ctx, input.id);
      return {
        task: await ctx.services.views.one(row, ctx.principal),
        lastMessage: await ctx.services.results.lastMessage(row.id),
      };
    }),

  /** The task once it is in a final status (at once if it already is), then the subscription ends. */
  finished: procedure({ roles: ['admin', 'member', 'viewer', 'task'], project: 'row' })
    .input(taskId)
    .subscription(async function* ({ ctx, input, signal }) {
      try {
        await visibleTask(ctx, input.id);
        const row = await ctx.services.results.finished(input.id, signal);
        if (row) yield await ctx.services.views.one(row, ctx.principal);
      } catch (error) {
        throw toTRPCError(error);
      }
    }),

  /** Cancels a task and every task it started that is still active. */
  cancel: procedure({ roles: ['admin', 'member'], project: 'row' })
    .input(taskId)
    .mutation(async ({ ctx, input }) => {
      const task = await visibleTask(ctx, input.id);
      await ctx.services.control.cancel(input.id, ctx.principal.subject);
      await ctx.services.audit.record({
        action: 'task.cancelled',
        actor: ctx.principal,
        target: task.id,
        project: task.project,
        from: ctx.remoteAddress,
      });
      return ctx.services.views.one(await ctx.services.tasks.mustRow(input.id), ctx.principal);
    }),

  /** `nexa continue ID "more"`: resume a finished agent task's session, where its working copy is. */
  continue: procedure({ roles: ['admin', 'member'], project: 'row' })
    .input(z.object({ id: z.string().min(1), prompt: MessageBody }))
    .mutation(async ({ ctx, input }) => {
      await visibleTask(ctx, input.id);
      await ctx.services.control.continue(
        input.id,
        input.prompt,
        await ctx.services.authors.of(ctx.principal),
      );
      return ctx.services.views.one(await ctx.services.tasks.mustRow(input.id), ctx.principal);
    }),

  retry: procedure({ roles: ['admin', 'member'], project: 'row' })
    .input(taskId)
    .mutation(async ({ ctx, input }) => {
      await visibleTask(ctx, input.id);
      await ctx.services.control.retry(input.id);
      return ctx.services.views.one(await ctx.services.tasks.mustRow(input.id), ctx.principal);
    }),

  /** A shutting-down worker gives back an attempt it stopped. */
  handBack: procedure({ roles: workerRoles, project: 'own' })
    .input(z.object({ taskId: z.string(), attempt: z.number().int().min(1) }))
    .mutation(({ ctx, input }) => ctx.services.control.handBack(registeredWorker(ctx), input)),
});
