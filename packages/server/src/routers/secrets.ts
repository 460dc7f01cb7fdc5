import { limits, ProjectName, SecretName } from '@nexa/core';
import { z } from 'zod';
import { procedure, router } from '../trpc.js';

const project = ProjectName.optional();

/** Values shorter than this could not be kept out of logs (see TaskSecrets): refused rather than leaked. */
const MIN_VALUE_CHARS = 4;

const SecretValue = z
  .string()
  .min(1, 'a secret value cannot be empty')
  .min(
    MIN_VALUE_CHARS,
    `a secret value needs at least ${MIN_VALUE_CHARS} characters (shorter ones are not redacted)`,
  )
  .refine(
    (value) => !value.includes('\0'),
    'a secret value cannot hold a NUL character (it becomes an environment variable)',
  )
  .refine(
    (value) => Buffer.byteLength(value, 'utf8') <= limits.secrets.valueBytes,
    `a secret value may be at most ${limits.secrets.valueBytes} bytes`,
  );

export const secretsRouter = router({
  /** `nexa secret set NAME` (the value from stdin): sets or replaces it; the audit log has its name, never its value. */
  set: procedure({ roles: ['admin', 'member'], project: 'input' })
    .input(z.object({ project, name: SecretName, value: SecretValue }))
    .mutation(async ({ ctx, input }) => {
      const where = await ctx.services.projects.scopeForWrite(ctx.principal, input.project);
      const info = await ctx.services.secrets.set(where, input.name, input.value, ctx.principal.subject);
      await ctx.services.audit.record({
        action: 'secret.set',
        actor: ctx.principal,
        target: input.name,
        project: where,
        from: ctx.remoteAddress,
      });
      return info;
    }),

  /** Names, who set them and when; no role ever reads a value back. */
  list: procedure({ roles: ['admin', 'member', 'viewer'], project: 'input' })
    .input(z.object({ project }).default({}))
    .query(async ({ ctx, input }) =>
      ctx.services.secrets.list(await ctx.services.projects.scope(ctx.principal, input.project)),
    ),

  remove: procedure({ roles: ['admin', 'member'], project: 'input' })
    .input(z.object({ project, name: SecretName }))
    .mutation(async ({ ctx, input }) => {
      const where = await ctx.services.projects.scope(ctx.principal, input.project);
      const result = await ctx.services.secrets.remove(where, input.name);
      if (result.removed) {
        await ctx.services.audit.record({
          action: 'secret.removed',
          actor: ctx.principal,
          target: input.name,
          project: where,
          from: ctx.remoteAddress,
        });
      }
      return result;
    }),
});
