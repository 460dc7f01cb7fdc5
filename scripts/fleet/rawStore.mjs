// The raw limit beside Nexa's append path: the same rows written straight into
// a fresh libSQL file (WAL, synchronous NORMAL, as the coordinator opens it),
// as group commits: every event of one 50 ms window in one transaction of
// multi-row inserts. Its commit latency is the floor of an append's ack; its
// rows per second the ceiling of the event rate.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

// The coordinator's own libSQL client (the repository root does not depend on it).
const fromServer = createRequire(new URL('../../packages/server/package.json', import.meta.url));
const { createClient } = await import(pathToFileURL(fromServer.resolve('@libsql/client')).href);

const ROWS_PER_STATEMENT = 500; // 6 values a row: well under SQLite's bound-variable limit

/**
 * Commits `commits` transactions of `rowsPerCommit` output rows each, one after the other.
 * @returns {{commitMs: number[], rowsPerSecond: number}}
 */
export async function rawGroupCommits(dir, { rowsPerCommit, commits }) {
  const client = createClient({ url: `file:${join(dir, 'raw.db')}`, concurrency: 1 });
  try {
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute('PRAGMA synchronous = NORMAL');
    await client.execute(
      'CREATE TABLE task_events (task_id TEXT NOT NULL, seq INTEGER NOT NULL, attempt INTEGER NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (task_id, seq))',
    );
    const nextSeq = new Map();
    const commitMs = [];
    let rows = 0;
    const startedAt = performance.now();
    for (let commit = 0; commit < commits; commit++) {
      const statements = [];
      for (let first = 0; first < rowsPerCommit; first += ROWS_PER_STATEMENT) {
        const count = Math.min(ROWS_PER_STATEMENT, rowsPerCommit - first);
        const args = [];
        for (let i = 0; i < count; i++) {
          // Spread over a thousand tasks, as the fleet's events are.
          const taskId = `task-${(first + i) % 1000}`;
          const seq = (nextSeq.get(taskId) ?? 0) + 1;
          nextSeq.set(taskId, seq);
          const data = `${taskId} line ${seq}: compiling module ${seq % 97}\n`;
          args.push(
            taskId,
            seq,
            1,
            'output',
            JSON.stringify({ kind: 'output', stream: 'stdout', data }),
            Date.now(),
          );
        }
        statements.push({
          sql: `INSERT INTO task_events (task_id, seq, attempt, kind, body, at) VALUES ${Array(count).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`,
          args,
        });
      }
      const began = performance.now();
      await client.batch(statements, 'write');
      commitMs.push(performance.now() - began);
      rows += rowsPerCommit;
    }
    return { commitMs, rowsPerSecond: rows / ((performance.now() - startedAt) / 1000) };
  } finally {
    client.close();
  }
}
