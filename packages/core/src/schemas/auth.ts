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
  /** For role `task`: the one attempt the token was minted for, and its project. */
  task: z.object({ id: z.string(), attempt: z.number().int(), project: z.string() }).optional(),
});
export type Principal = z.infer<typeof Principal>;
