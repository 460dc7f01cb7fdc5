import { NexaError } from '@nexa/core';
import { inArray } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { projects } from '../db/schema.js';

/** Refuses names that are not projects (admins create them first), with the first one missing. */
export async function mustExistProjects(database: Database, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const rows = await database.db
    .select({ name: projects.name })
    .from(projects)
    .where(inArray(projects.name, [...new Set(names)]));
  const found = new Set(rows.map((row) => row.name));
  const missing = names.find((name) => !found.has(name));
  if (missing !== undefined) {
    throw new NexaError('not_found', `no project "${missing}"`, {
      hint: `an admin creates it: nexa projects create ${missing}`,
    });
  }
}
