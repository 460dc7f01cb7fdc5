import { inArray } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { workers } from '../db/schema.js';

/** How many worker names are remembered (oldest forgotten first). */
const NAMES_CACHE = 10_000;

/**
 * Worker names by id, for task listings. A worker's id and name are bound for
 * good (it registers again under the same name, and keeps its id), so a name
 * once read never goes stale and is read from the database once.
 */
export class WorkerNames {
  private readonly names = new Map<string, string>();

  constructor(private readonly database: Database) {}

  async of(ids: Iterable<string | null>): Promise<Map<string, string>> {
    const missing = [...new Set(ids)].filter((id): id is string => id !== null && !this.names.has(id));
    if (missing.length > 0) {
      const rows = await this.database.db
        .select({ id: workers.id, name: workers.name })
        .from(workers)
        .where(inArray(workers.id, missing));
      for (const row of rows) this.remember(row.id, row.name);
    }
    return this.names;
  }

  private remember(id: string, name: string): void {
    if (this.names.size >= NAMES_CACHE) this.names.delete(this.names.keys().next().value as string);
    this.names.set(id, name);
  }
}
