import { chmod, mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Client, createClient } from '@libsql/client';
import { NexaError } from '@nexa/core';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { fairClient } from './fairClient.js';
import { type ReadDb, readOnly } from './readOnly.js';
import * as schema from './schema.js';
import { type Db, WriteQueue } from './writeQueue.js';

export type { Db, ReadDb };

export interface Database {
  /** For reads. Writing needs a Writer, which only `writes.run` hands out. */
  db: ReadDb;
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

/**
 * Makes the database file 0600 before SQLite opens it (SQLite gives its -wal
 * and -shm files the database file's mode) and tightens files an older
 * version left readable: they hold every task's output.
 */
async function keepDatabaseFilesPrivate(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await (await open(path, 'a', 0o600)).close();
  for (const file of ['', '-wal', '-shm', '-journal'].map((suffix) => `${path}${suffix}`)) {
    await chmod(file, 0o600).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}

/** Opens the database (a local file or a libSQL server), switches files to WAL and runs migrations. */
export async function openDatabase(url: string, options: { authToken?: string } = {}): Promise<Database> {
  let client: Client;
  try {
    const path = url.startsWith('file:') ? url.slice('file:'.length) : null;
    if (path && !path.includes(':memory:') && !path.includes('?')) await keepDatabaseFilesPrivate(path);
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
  const fair = fairClient(client);
  const db = drizzle(fair, { schema });
  const writes = new WriteQueue(db, fair);
  return {
    db: readOnly(db),
    client,
    writes,
    url,
    async close() {
      await writes.idle();
      client.close();
    },
  };
}
