import { z } from 'zod';

/** DESIGN.md "Principals and roles". */
export const roles = ['admin', 'member', 'viewer', 'worker', 'task'] as const;
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;

/** Who is calling: decoded from a verified bearer token. */
export const Principal = z.object({
  jti: z.string(),
  role: Role,
  subject: z.string(),
  /**
   * The projects it may see and act in; null: every project (admins; workers
   * whose credential allows all). A task token's is its task's project.
   */
  projects: z.array(z.string()).nullable().default(null),
  /**
   * For a worker's own credential (made when it joined): the worker it is,
   * the one name it may register as, and the labels it may claim (null: any).
   */
  worker: z
    .object({ id: z.string(), name: z.string(), labels: z.record(z.string(), z.string()).nullable() })
    .optional(),
  /** For a join token: it may only call workers.join. */
  join: z.boolean().optional(),
  /** For role `task`: the one attempt the token was minted for, and its project. */
  task: z.object({ id: z.string(), attempt: z.number().int(), project: z.string() }).optional(),
});
export type Principal = z.infer<typeof Principal>;
