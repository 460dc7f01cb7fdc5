import { randomBytes } from 'node:crypto';
import { labelMap, limits, NexaError, type Principal, Role, TokenProjects } from '@nexa/core';
import { z } from 'zod';
import type { Context } from '../context.js';
import { procedure, router } from '../trpc.js';

/**
 * Who holds a token when its creator names nobody: the role, who made it and
 * a few characters of its id, so two tokens of one role are never the same
 * subject (tasks.createdBy, audit, and who may see a task's env go by it).
 */
function defaultSubject(kind: string, creator: string): string {
  return `${kind}@${creator}-${randomBytes(3).toString('hex')}`;
}

const CreateToken = z.object({
  role: Role.exclude(['task']),
  subject: z.string().min(1).max(128).optional(),
  ttlSeconds: z
    .number()
    .int()
    .positive()
    .max(10 * 365 * 86_400, 'a token lives at most 10 years (ttlSeconds ≤ 315360000)')
    .optional(),
  /** Required for members and viewers; a worker token's narrow the tasks it takes; admins see all. */
  projects: TokenProjects.optional(),
  /** A join token: a worker presents it once and gets its own credential. */
  join: z.boolean().optional(),
  /** How many workers a join token may make (default 1). */
  uses: z
    .number()
    .int()
    .positive()
    .max(limits.teams.joinUses, `a join token makes at most ${limits.teams.joinUses} workers`)
    .optional(),
  /** The labels workers made by a join token may claim (left out: any). */
  labels: labelMap('worker label', limits.worker).optional(),
});
type CreateToken = z.infer<typeof CreateToken>;

/** Refuses combinations that mean nothing (a member without projects, uses on a plain token). */
function checkShape(input: CreateToken): void {
  const refuse = (message: string) => new NexaError('invalid_input', message);
  if ((input.role === 'member' || input.role === 'viewer') && !input.projects) {
    throw refuse(`a ${input.role} token needs --project`);
  }
  if (input.role === 'admin' && input.projects)
    throw refuse('an admin token is in every project: leave --project out');
  if (input.join && input.role !== 'worker')
    throw refuse('only a worker token can be a join token (--role worker --join)');
  if (!input.join && (input.uses !== undefined || input.labels !== undefined)) {
    throw refuse('--uses and --labels are for join tokens: add --join');
  }
  if (input.join && input.ttlSeconds !== undefined && input.ttlSeconds > limits.teams.joinTtlSeconds) {
    throw refuse(`a join token lives at most ${limits.teams.joinTtlSeconds} seconds`);
  }
}

async function create(ctx: Context & { principal: Principal }, input: CreateToken) {
  checkShape(input);
  for (const project of input.projects ?? []) await ctx.services.projects.mustExist(project);
  const ttlSeconds = input.join ? (input.ttlSeconds ?? limits.teams.joinDefaultTtlSeconds) : input.ttlSeconds;
  const issued = await ctx.services.tokens.issue(
    input.role,
    input.subject ?? defaultSubject(input.join ? 'join' : input.role, ctx.principal.subject),
    ttlSeconds,
    ctx.principal.subject,
    {
      ...(input.projects ? { projects: input.projects } : {}),
      ...(input.join ? { joinUses: input.uses ?? 1, workerLabels: input.labels ?? null } : {}),
    },
  );
  await ctx.services.audit.record({
    action: 'token.created',
    actor: ctx.principal,
    target: issued.jti,
    from: ctx.remoteAddress,
    detail: [
      `role ${issued.role}${issued.join ? ` (join, ${issued.uses} use${issued.uses === 1 ? '' : 's'})` : ''}`,
      `projects ${issued.projects?.join(',') ?? 'all'}`,
    ].join('; '),
  });
  return issued;
}

export const tokensRouter = router({
  create: procedure({ roles: ['admin'], project: 'none' })
    .input(CreateToken)
    .mutation(({ ctx, input }) => create(ctx, input)),

  /** Every token: id (jti), role, subject, projects, when made, expires and was revoked; never the token itself. */
  list: procedure({ roles: ['admin'], project: 'none' }).query(({ ctx }) => ctx.services.tokens.list()),

  /** Revokes a token at once: its requests are refused and its open connections closed. */
  revoke: procedure({ roles: ['admin'], project: 'none' })
    .input(z.object({ id: z.string().min(1).max(128) }))
    .mutation(async ({ ctx, input }) => {
      const revoked = await ctx.services.tokens.revoke(input.id);
      await ctx.services.audit.record({
        action: 'token.revoked',
        actor: ctx.principal,
        target: revoked.id,
        from: ctx.remoteAddress,
        detail: `role ${revoked.role}, subject ${revoked.subject}`,
      });
      return revoked;
    }),
});
