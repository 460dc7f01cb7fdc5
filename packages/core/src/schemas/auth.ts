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
});
export type Principal = z.infer<typeof Principal>;
