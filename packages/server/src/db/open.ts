import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Client, createClient } from '@libsql/client';
import { NexaError } from '@nexa/core';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import * as schema from './schema.js';
import { WriteQueue } from './writeQueue.js';

export type Db = LibSQLDatabase<typeof schema>;

export interface Database {
  db: Db;
  client: Client;
  /** Every write goes through here (see WriteQueue). */
  writes: WriteQueue;
  url: string;
  close(): Promise<void>;
}

// The generated SQL lives next to the package, two levels up from src/db and dist/db alike.
const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** The default database: a file in the data directory. */
export function defaultDatabaseUrl(dataDir: string): string {
  return `file:${join(dataDir, 'nexa.db')}`;
}

/** Opens the database (a local file or a libSQL server), switches files to WAL and runs migrations. */
export async function openDatabase(url: string, options: { authToken?: string } = {}): Promise<Database> {
  if (url.startsWith('file:')) await mkdir(dirname(url.slice('file:'.length)), { recursive: true });
  let client: Client;
  try {
    // One connection: the file client pools connections and a PRAGMA reaches only
    // the one it runs on. With writes serialised and no interactive transactions
    // (use db.batch), one connection is all the coordinator needs.
    client = createClient({ url, authToken: options.authToken, timeout: 5000, concurrency: 1 });
    if (url.startsWith('file:')) {
      await client.execute('PRAGMA journal_mode = WAL');
      // In WAL mode NORMAL still survives any process crash; only a power loss can
      // undo the last commits. It saves an fsync per commit on the dispatch path.
      await client.execute('PRAGMA synchronous = NORMAL');
    }
    await migrate(drizzle(client), { migrationsFolder });
  } catch (error) {
    throw new NexaError('config', `cannot open the database at ${url}: ${(error as Error).message}`, {
      hint: 'check --db / --data-dir, or that no other program holds the file',
      cause: error,
    });
  }
  const db = drizzle(client, { schema });
  const writes = new WriteQueue();
  return {
    db,
    client,
    writes,
    url,
    async close() {
      await writes.idle();
      client.close();
    },
  };
}
