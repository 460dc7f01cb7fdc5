import { z } from 'zod';
import { limits, tooLong, tooMany } from '../limits.js';
import { ProjectName } from './conversation.js';

/**
 * What a team shares a coordinator with: projects that people and workers are
 * members of, secrets tasks may name, and an audit log of who did what.
 */

/** A project as `nexa projects list` shows it; admins create and remove them. */
export const Project = z.object({
  name: ProjectName,
  createdBy: z.string().nullable(),
  createdAt: z.string(),
});
export type Project = z.infer<typeof Project>;

/** The projects a token is bound to (members, viewers, workers); at least one. */
export const TokenProjects = z
  .array(ProjectName)
  .min(1, 'name at least one project')
  .max(limits.teams.tokenProjects, tooMany('projects', limits.teams.tokenProjects));

/** A secret's name: what the task's environment variable is called, too. */
export const SecretName = z
  .string()
  .regex(
    /^[A-Z_][A-Z0-9_]{0,127}$/,
    'a secret name is upper-case letters, digits and "_" (at most 128, not starting with a digit), e.g. "NPM_TOKEN"',
  );
export type SecretName = z.infer<typeof SecretName>;

/** A secret as `nexa secret list` shows it: never its value. */
export const SecretInfo = z.object({
  name: SecretName,
  project: ProjectName,
  setBy: z.string(),
  setAt: z.string(),
});
export type SecretInfo = z.infer<typeof SecretInfo>;

/**
 * How a task's sandbox reaches the network: `none` at all; `allowlist`, only
 * its agent's provider and the hosts it names, through the worker's proxy;
 * `open`, anything its sandbox's network reaches.
 */
export const networkModes = ['none', 'allowlist', 'open'] as const;
export const NetworkMode = z.enum(networkModes);
export type NetworkMode = z.infer<typeof NetworkMode>;

/** `host`, `host:port` or `*.domain`, as --allow-host takes it; a host without a port allows 80 and 443. */
export const AllowedHost = z
  .string()
  .max(limits.egress.hostChars + 6, tooLong('an allowed host', limits.egress.hostChars + 6))
  .regex(
    /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:[0-9]{1,5})?$/,
    'an allowed host is host or host:port, e.g. "registry.npmjs.org" or "127.0.0.1:8080"',
  );
export type AllowedHost = z.infer<typeof AllowedHost>;

/** What the audit log records; a closed set, so `nexa audit --action` can name them. */
export const auditActions = [
  'auth.failed',
  'token.created',
  'token.revoked',
  'worker.joined',
  'worker.revoked',
  'worker.refused',
  'secret.set',
  'secret.removed',
  'project.created',
  'project.removed',
  'approval.decided',
  'task.cancelled',
  'policy.set',
  'rate.limited',
] as const;
export const AuditAction = z.enum(auditActions);
export type AuditAction = z.infer<typeof AuditAction>;

/** One audit row: who did what to what, when, and from where. */
export const AuditEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  action: AuditAction,
  /** The token's subject; null when no token was verified (a failed login). */
  actor: z.string().nullable(),
  role: z.string().nullable(),
  /** What was acted on: a token id, worker name, secret or project name, task or approval id. */
  target: z.string().nullable(),
  project: ProjectName.nullable(),
  /** The remote address the request came from (null: in-process, or not known). */
  from: z.string().nullable(),
  /** One line of detail: why a login failed, what a decision said. */
  detail: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
