import { type KvChange, type KvEntry, limits, NexaError } from '@nexa/core';
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { kv } from '../db/schema.js';
import { KeyedFeed } from './keyedFeed.js';

type KvRow = typeof kv.$inferSelect;

const { conversation: bounds } = limits;

function entryFromRow(row: KvRow): KvEntry {
  return {
    project: row.project,
    key: row.key,
    value: JSON.parse(row.value) as unknown,
    version: row.version,
    updatedBy: row.updatedBy,
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

function changeSize(change: KvChange): number {
  return change.type === 'set' ? JSON.stringify(change.entry.value).length + 256 : 256;
}

/** The first text after every key that starts with `prefix` (UTF-8 sorts by code point, as SQLite compares). */
function afterPrefix(prefix: string): string | null {
  const points = Array.from(prefix);
  const last = points.pop()?.codePointAt(0);
  if (last === undefined || last >= 0x10ffff) return null;
  return points.join('') + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
}

function conflict(key: string, current: number, expected: number): NexaError {
  const message =
    current === 0
      ? `key "${key}" does not exist (version 0), not version ${expected}`
      : `key "${key}" is at version ${current}, not ${expected}`;
  return new NexaError('conflict', message, { hint: `read it again and retry with --if-version ${current}` });
}

/** Matches the keys a watcher asked for: one key, a prefix, or all of the project's. */
export interface KeyFilter {
  key?: string | undefined;
  prefix?: string | undefined;
}

const matches = (filter: KeyFilter, key: string) =>
  filter.key !== undefined ? key === filter.key : key.startsWith(filter.prefix ?? '');

/**
 * Each project's key-value store. A set reads the version, compares and
 * writes in one write operation, so compare-and-set holds however many
 * callers race; watchers are told after the commit.
 */
export class KvService {
  private readonly feed = new KeyedFeed<KvChange>(changeSize);

  constructor(private readonly database: Database) {}

  async get(project: string, key: string): Promise<KvEntry | null> {
    const [row] = await this.database.db
      .select()
      .from(kv)
      .where(and(eq(kv.project, project), eq(kv.key, key)));
    return row ? entryFromRow(row) : null;
  }

  /** Keys in key order, those starting with `prefix` if given. */
  async list(project: string, filter: KeyFilter, limit: number): Promise<KvEntry[]> {
    const prefix = filter.prefix ?? '';
    const upper = prefix === '' ? null : afterPrefix(prefix);
    const rows = await this.database.db
      .select()
      .from(kv)
      .where(
        and(
          eq(kv.project, project),
          filter.key !== undefined ? eq(kv.key, filter.key) : undefined,
          prefix !== '' ? gte(kv.key, prefix) : undefined,
          upper !== null ? lt(kv.key, upper) : undefined,
        ),
      )
      .orderBy(asc(kv.key))
      .limit(limit);
    return rows.filter((row) => row.key.startsWith(prefix)).map(entryFromRow);
  }

  /** Sets a key (compare-and-set when `ifVersion` is given: 0 means only if it does not exist). */
  async set(
    project: string,
    key: string,
    value: unknown,
    ifVersion: number | undefined,
    by: string,
  ): Promise<KvEntry> {
    const text = JSON.stringify(value);
    const entry = await this.database.writes.run(async (writer) => {
      const { db } = writer;
      const [row] = await db
        .select({ version: kv.version })
        .from(kv)
        .where(and(eq(kv.project, project), eq(kv.key, key)));
      const current = row?.version ?? 0;
      if (ifVersion !== undefined && ifVersion !== current) throw conflict(key, current, ifVersion);
      if (!row) {
        const [counted] = await db
          .select({ keys: sql<number>`count(*)` })
          .from(kv)
          .where(eq(kv.project, project));
        if ((counted?.keys ?? 0) >= bounds.projectKeys) {
          throw new NexaError(
            'conflict',
            `project ${project} has ${bounds.projectKeys} keys, the limit for one project`,
            {
              hint: 'remove keys it no longer needs (nexa kv rm KEY)',
            },
          );
        }
      }
      const stored: KvRow = {
        project,
        key,
        value: text,
        version: current + 1,
        updatedBy: by,
        updatedAt: Date.now(),
      };
      await db
        .insert(kv)
        .values(stored)
        .onConflictDoUpdate({
          target: [kv.project, kv.key],
          set: { value: stored.value, version: stored.version, updatedBy: by, updatedAt: stored.updatedAt },
        });
      const entry = entryFromRow(stored);
      writer.afterward(() => this.feed.publish(project, { type: 'set', entry }));
      return entry;
    });
    return entry;
  }

  /** Removes a key (only at `ifVersion`, if given); false if there was none. */
  remove(project: string, key: string, ifVersion: number | undefined): Promise<{ removed: boolean }> {
    return this.database.writes.run(async (writer) => {
      const which = and(eq(kv.project, project), eq(kv.key, key));
      const [row] = await writer.db.select({ version: kv.version }).from(kv).where(which);
      const current = row?.version ?? 0;
      if (ifVersion !== undefined && ifVersion !== current) throw conflict(key, current, ifVersion);
      if (!row) return { removed: false };
      await writer.db.delete(kv).where(which);
      writer.afterward(() => this.feed.publish(project, { type: 'removed', project, key, version: current }));
      return { removed: true };
    });
  }

  /**
   * The matching entries now (at most one listing's worth, as `set`), then
   * every change as it commits. Subscribes before reading, and skips a live
   * set the snapshot already showed; a reader that falls behind gets a fresh
   * snapshot.
   */
  async *watch(
    project: string,
    filter: KeyFilter,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<KvChange> {
    while (!signal?.aborted) {
      const live = this.feed.subscribe(project);
      const stop = () => live.close();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        const shown = new Map<string, number>();
        for (const entry of await this.list(project, filter, limits.listing.rows)) {
          shown.set(entry.key, entry.version);
          yield { type: 'set', entry };
        }
        for await (const change of live.queue) {
          const key = change.type === 'set' ? change.entry.key : change.key;
          if (!matches(filter, key)) continue;
          const version = change.type === 'set' ? change.entry.version : change.version;
          if (change.type === 'set' && version <= (shown.get(key) ?? 0)) continue;
          shown.delete(key);
          yield change;
        }
      } finally {
        signal?.removeEventListener('abort', stop);
        live.close();
      }
    }
  }
}
