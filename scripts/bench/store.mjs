// Event appends per second through Nexa's storage path, beside raw libSQL writing the same rows.
//
// Nexa: a coordinator in this process (startServer on a temp data dir, no network in the way),
// fake worker sessions opened with services.workers.open, tasks submitted and assigned by the
// scheduler, then every task appends batches of output events at once, one batch in flight per
// task, as real workers do: services.events.append resolves when the batch is durable.
// Raw: @libsql/client on a file, WAL and synchronous=NORMAL as the coordinator sets them, the same
// table shape and the same rows, one multi-row INSERT per batch and one transaction per round of
// batches (what a perfect group commit would do). The two alternate, so noise hits both.
// Budget (issue 10): Nexa ≥ 70 % of raw. Also: database bytes per output line.

import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TaskSpec } from '@nexa/core';
import { countFlag } from './flags.mjs';
import { figure } from './result.mjs';

const server = await import(new URL('../../packages/server/dist/index.js', import.meta.url));
// The coordinator's own libSQL client, so raw and Nexa run the very same driver.
const { createClient } = createRequire(new URL('../../packages/server/package.json', import.meta.url))(
  '@libsql/client',
);

export const storeFlags = {
  tasks: { type: 'string' },
  batches: { type: 'string' },
  'batch-size': { type: 'string' },
};

const principal = { jti: 'bench-store', role: 'admin', subject: 'bench-store', projects: null };
const line = (task, n) =>
  `[${task}] ${String(n).padStart(6, '0')} compiling src/module${n % 97}.ts … ok (${n % 13} ms)\n`;

/** Opens fake worker sessions, submits `count` tasks and resolves with each one's assignment. */
async function assignedTasks(services, count) {
  const perWorker = 50;
  const assignments = [];
  const sessions = [];
  let allAssigned;
  const done = new Promise((resolve) => {
    allAssigned = resolve;
  });
  for (let w = 0; w < Math.ceil(count / perWorker); w++) {
    const session = await services.workers.open(
      {
        name: `store-${w}`,
        instanceId: `bench-store-instance-${w}`,
        labels: { bench: 'store' },
        capacity: perWorker,
        version: 'bench',
        sandboxes: ['process'],
        agents: ['shell'],
        unavailableAgents: [],
        projects: [],
      },
      principal,
    );
    sessions.push(session);
    void (async () => {
      for await (const message of session.messages) {
        if (message.type !== 'assign') continue;
        assignments.push({ workerId: session.workerId, ...message.assignment });
        if (assignments.length === count) allAssigned();
      }
    })();
  }
  for (let i = 0; i < count; i++) {
    const spec = TaskSpec.parse({ command: ['true'], sandbox: 'process', labels: { bench: 'store' } });
    await services.tasks.submit(spec, principal);
  }
  await services.scheduler.kick();
  await done;
  for (const session of sessions) session.messages.end(); // nothing more is assigned
  return assignments.map((a) => ({ ...a, nextSeq: a.firstSeq }));
}

/** One batch of output events for a task, continuing its seq. */
function outputBatch(task, size) {
  const events = [];
  for (let i = 0; i < size; i++) {
    const seq = task.nextSeq++;
    events.push({ seq, at: Date.now(), kind: 'output', stream: 'stdout', data: line(task.taskId, seq) });
  }
  return events;
}

/** Every task appends `batches` batches, one in flight at a time; all tasks at once. */
async function nexaRound(services, tasks, batches, size) {
  const started = performance.now();
  await Promise.all(
    tasks.map(async (task) => {
      for (let b = 0; b < batches; b++) {
        const events = outputBatch(task, size);
        await services.events.append(task.workerId, { taskId: task.taskId, attempt: task.attempt, events });
      }
    }),
  );
  return (tasks.length * batches * size) / ((performance.now() - started) / 1000);
}

/** One multi-row INSERT of event rows, shaped as the coordinator stores them. */
function insertRows(rows) {
  return {
    sql: `INSERT INTO task_events (task_id, seq, attempt, kind, body, at) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
    args: rows.flatMap(({ task, event: { seq, at, ...body } }) => [
      task.taskId,
      seq,
      task.attempt,
      body.kind,
      JSON.stringify(body),
      at,
    ]),
  };
}

/**
 * The same rows through a bare client, as fast as SQLite takes them: a round of batches (one from
 * each task) per transaction, in multi-row INSERTs of up to 1,000 rows.
 */
async function rawRound(client, tasks, batches, size) {
  const started = performance.now();
  for (let b = 0; b < batches; b++) {
    const rows = tasks.flatMap((task) => outputBatch(task, size).map((event) => ({ task, event })));
    const statements = [];
    for (let i = 0; i < rows.length; i += 1000) statements.push(insertRows(rows.slice(i, i + 1000)));
    await client.batch(statements, 'write');
  }
  return (tasks.length * batches * size) / ((performance.now() - started) / 1000);
}

/** Bytes the database holds in use, WAL included (a reader sees committed frames). */
async function usedBytes(url) {
  const reader = createClient({ url });
  try {
    const pick = async (pragma) => Number((await reader.execute(`PRAGMA ${pragma}`)).rows[0][0]);
    return ((await pick('page_count')) - (await pick('freelist_count'))) * (await pick('page_size'));
  } finally {
    reader.close();
  }
}

export async function benchStore({ quick, tasks: taskFlag, batches: batchFlag, 'batch-size': sizeFlag }) {
  const taskCount = countFlag('tasks', taskFlag, quick ? 50 : 200);
  const batches = countFlag('batches', batchFlag, quick ? 20 : 25);
  const size = countFlag('batch-size', sizeFlag, 10);
  const rounds = quick ? 1 : 3;
  const dir = await mkdtemp(join(tmpdir(), 'nexa-bench-store-'));
  const coordinator = await server
    .startServer({
      host: '127.0.0.1',
      port: 0,
      dataDir: join(dir, 'data'),
      // The fake sessions send no heartbeats (liveness is the fleet bench's part): a long lease keeps
      // their tasks theirs for the whole run.
      leaseMs: 3_600_000,
      log: () => {},
      env: { XDG_CONFIG_HOME: join(dir, 'config') },
    })
    .catch(async (error) => {
      await rm(dir, { recursive: true, force: true });
      throw error;
    });
  const rawUrl = `file:${join(dir, 'raw.db')}`;
  const raw = createClient({ url: rawUrl });
  try {
    await raw.execute('PRAGMA journal_mode = WAL');
    await raw.execute('PRAGMA synchronous = NORMAL');
    await raw.execute(
      'CREATE TABLE task_events (task_id TEXT NOT NULL, seq INTEGER NOT NULL, attempt INTEGER NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (task_id, seq))',
    );
    const { services } = coordinator;
    const nexaTasks = await assignedTasks(services, taskCount);
    // Each task's first event says it runs, as a worker's does.
    await Promise.all(
      nexaTasks.map((task) =>
        services.events.append(task.workerId, {
          taskId: task.taskId,
          attempt: task.attempt,
          events: [{ seq: task.nextSeq++, at: Date.now(), kind: 'status', status: 'running' }],
        }),
      ),
    );
    const rawTasks = nexaTasks.map((task) => ({ ...task, nextSeq: task.nextSeq }));
    const nexaUrl = server.defaultDatabaseUrl(join(dir, 'data'));
    const bytesBefore = { nexa: await usedBytes(nexaUrl), raw: await usedBytes(rawUrl) };
    const rates = { nexa: [], raw: [] };
    // One unmeasured round each warms the JIT and the page cache.
    await rawRound(raw, rawTasks, 1, size);
    await nexaRound(services, nexaTasks, 1, size);
    const warmLines = taskCount * size;
    for (let r = 0; r < rounds; r++) {
      rates.raw.push(await rawRound(raw, rawTasks, batches, size));
      rates.nexa.push(await nexaRound(services, nexaTasks, batches, size));
    }
    const lines = warmLines + rounds * taskCount * batches * size;
    const bytesPerLine = {
      nexa: ((await usedBytes(nexaUrl)) - bytesBefore.nexa) / lines,
      raw: ((await usedBytes(rawUrl)) - bytesBefore.raw) / lines,
    };
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    return {
      name: 'store',
      title: `Store: output events appended by ${taskCount} tasks at once, batches of ${size}, ${batches} batches each per round, beside raw libSQL multi-row inserts of the same rows (${rounds} rounds each, alternating; median)`,
      rows: [
        figure('event rows per second', {
          nexa: median(rates.nexa),
          raw: median(rates.raw),
          unit: 'rows/s',
          better: 'higher',
          budget: '≥ 0.7×',
        }),
        figure('database bytes per output line', {
          nexa: bytesPerLine.nexa,
          raw: bytesPerLine.raw,
          unit: 'B',
        }),
      ],
      notes: [`each line is ${line('t_0000000000', 1).length} characters of text; bytes include indexes`],
      data: { tasks: taskCount, batches, batchSize: size, rounds, rates, bytesPerLine },
    };
  } finally {
    raw.close();
    await coordinator.close();
    await rm(dir, { recursive: true, force: true });
  }
}
