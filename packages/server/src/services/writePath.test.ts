import type { TaskEvent, WorkerMessage } from '@nexa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tasks } from '../db/schema.js';
import { createHarness, type Harness, registration } from '../testing/harness.js';
import { take } from '../testing/iterate.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness({ leaseMs: 10_000 });
});
afterEach(() => harness.close());

const output = (seq: number, data: string): TaskEvent => ({
  kind: 'output',
  stream: 'stdout',
  data,
  seq,
  at: Date.now(),
});

async function connectWorker(name: string, capacity: number) {
  const caller = harness.connection('worker');
  const session = (
    await caller.workers.connect(registration({ name, instanceId: `instance-${name}`, capacity }))
  )[Symbol.asyncIterator]();
  const [registered] = (await take(session, 1)) as [Extract<WorkerMessage, { type: 'registered' }>];
  return { caller, session, workerId: registered.workerId };
}

/** `count` tasks submitted and assigned to one worker, each with its running status stored. */
async function runningTasks(count: number) {
  const worker = await connectWorker('busy', count);
  const ids: string[] = [];
  for (let i = 0; i < count; i++)
    ids.push((await harness.as('member').tasks.submit({ command: ['make'] })).id);
  const assigned = (await take(worker.session, count)) as Array<Extract<WorkerMessage, { type: 'assign' }>>;
  expect(assigned.map((m) => m.assignment.taskId).sort()).toEqual([...ids].sort());
  await Promise.all(
    ids.map((taskId) =>
      worker.caller.events.append({
        taskId,
        attempt: 1,
        events: [{ kind: 'status', status: 'running', seq: 1, at: Date.now() }],
      }),
    ),
  );
  return { worker, ids };
}

/** Counts the write transactions the database runs: batches, and single writing statements. */
function countTransactions(): { readonly count: number } {
  const { client } = harness.services.database;
  const counter = { count: 0 };
  const batch = client.batch.bind(client);
  client.batch = ((...args: Parameters<typeof batch>) => {
    counter.count++;
    return batch(...args);
  }) as typeof client.batch;
  const execute = client.execute.bind(client);
  client.execute = ((statement: Parameters<typeof execute>[0]) => {
    const text = typeof statement === 'string' ? statement : (statement as { sql: string }).sql;
    if (/^\s*(insert|update|delete)/i.test(text)) counter.count++;
    return execute(statement);
  }) as typeof client.execute;
  return counter;
}

describe('the write queue', () => {
  it('fails a write queued from inside a write at once, instead of waiting for itself forever', async () => {
    const { writes } = harness.services.database;
    const nested = writes.run(() => writes.run(async () => 'never'));
    await expect(nested).rejects.toMatchObject({ code: 'internal', message: /would wait for itself/ });
    // The queue is not stuck: the next write runs.
    await expect(writes.run(async () => 'next')).resolves.toBe('next');
  });

  it('refuses writes through the read-only database, so nothing can race the queue', () => {
    const { db } = harness.services.database;
    expect(() => (db as unknown as { insert: unknown }).insert).toThrow(/outside the write queue/);
  });

  it('runs what a write leaves for afterwards outside it, where it may queue writes of its own', async () => {
    const { writes } = harness.services.database;
    const later = await writes.run(async (writer) => {
      let next: Promise<string> | undefined;
      writer.afterward(() => {
        next = writes.run(async () => 'written after');
      });
      return () => next;
    });
    await expect(later()).resolves.toBe('written after');
  });

  it('runs a waiting control write before waiting bulk writes', async () => {
    const { writes } = harness.services.database;
    const order: string[] = [];
    let release = () => {};
    const blocker = writes.run(() => new Promise<void>((resolve) => (release = resolve)));
    const bulk = [1, 2, 3].map((i) => writes.run(async () => void order.push(`bulk ${i}`), 'bulk'));
    const control = writes.run(async () => void order.push('control'));
    release();
    await Promise.all([blocker, control, ...bulk]);
    expect(order).toEqual(['control', 'bulk 1', 'bulk 2', 'bulk 3']);
  });
});

describe('group commit of appends', () => {
  it('stores many tasks’ concurrent batches in a few transactions, each acknowledged once stored', async () => {
    const { worker, ids } = await runningTasks(40);
    const transactions = countTransactions();
    // One batch in flight per task, as a worker sends them: batch n+1 after n's ack.
    const acks = await Promise.all(
      ids.map(async (taskId) => {
        const acked: number[] = [];
        for (let batch = 0; batch < 5; batch++) {
          const events = [0, 1, 2].map((i) => output(2 + batch * 3 + i, `${taskId} line ${batch * 3 + i}\n`));
          acked.push((await worker.caller.events.append({ taskId, attempt: 1, events })).ackedSeq);
        }
        return acked;
      }),
    );
    expect(acks.every((acked) => acked.join() === '4,7,10,13,16')).toBe(true);
    // 200 batches: one transaction each before; a handful of groups now.
    expect(transactions.count).toBeLessThanOrEqual(25);
    for (const taskId of ids) {
      const log = await harness.as('viewer').events.list({ taskId });
      expect(log.map((e) => e.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    }
  });

  it('keeps one bad batch from failing the others in its group', async () => {
    const { worker, ids } = await runningTasks(3);
    const [good, gap, alsoGood] = ids as [string, string, string];
    const results = await Promise.allSettled([
      worker.caller.events.append({ taskId: good, attempt: 1, events: [output(2, 'a\n')] }),
      worker.caller.events.append({ taskId: gap, attempt: 1, events: [output(5, 'gap\n')] }),
      worker.caller.events.append({ taskId: alsoGood, attempt: 1, events: [output(2, 'b\n')] }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/events start at 5, expected 2/);
  });

  it('does not make a submit wait behind thousands of queued appends', async () => {
    const { worker, ids } = await runningTasks(50);
    let acked = 0;
    const next = new Map(ids.map((id) => [id, 2]));
    // 2,000 batches of 20 lines, all queued at once (a burst from a big fleet).
    const appends: Promise<unknown>[] = [];
    for (let round = 0; round < 40; round++) {
      for (const taskId of ids) {
        const first = next.get(taskId) as number;
        next.set(taskId, first + 20);
        const events = Array.from({ length: 20 }, (_, i) => output(first + i, `${'x'.repeat(100)}\n`));
        // Straight to the service: one connection's calls are capped before they get here.
        appends.push(
          harness.services.events.append(worker.workerId, { taskId, attempt: 1, events }).then(() => {
            acked++;
          }),
        );
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
    await harness.as('member').tasks.submit({ command: ['urgent'] });
    const ackedWhenSubmitted = acked;
    await Promise.all(appends);
    expect(acked).toBe(2000);
    // Before, the submit queued behind every one of them.
    expect(ackedWhenSubmitted).toBeLessThan(1000);
  });
});

describe('heartbeats', () => {
  it('renew leases without a write, and the worker list still shows when it was last seen', async () => {
    const { worker, ids } = await runningTasks(5);
    let writes = 0;
    const stop = harness.services.database.writes.afterEachWrite(() => writes++);
    const transactions = countTransactions();
    const before = (await harness.as('viewer').workers.list())[0]?.lastSeenAt as string;
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (let beat = 0; beat < 50; beat++) await worker.caller.workers.heartbeat({ running: ids });
    stop();
    expect({ writes, transactions: transactions.count }).toEqual({ writes: 0, transactions: 0 });
    const after = (await harness.as('viewer').workers.list())[0]?.lastSeenAt as string;
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
    // Renewed in memory: still held after the lease they had at assignment ran out.
    await harness.services.leases.check(Date.now() + 9_000);
    const statuses = await Promise.all(
      ids.map(async (id) => (await harness.as('viewer').tasks.get({ id })).status),
    );
    expect(new Set(statuses)).toEqual(new Set(['running']));
  });

  it('keep a disconnected worker’s tasks for one lease, then run them elsewhere', async () => {
    const { worker, ids } = await runningTasks(2);
    await worker.session.return?.(); // the connection ends; the worker did not say goodbye
    await harness.services.leases.check(Date.now() + 5_000);
    expect((await harness.as('viewer').tasks.get({ id: ids[0] as string })).status).toBe('running');
    // Its lease is stored now, so a coordinator restart would still know it.
    const [row] = await harness.services.database.db
      .select({ lease: tasks.leaseExpiresAt })
      .from(tasks)
      .limit(1);
    expect(row?.lease).toBeGreaterThan(Date.now());

    await harness.services.leases.check(Date.now() + 11_000);
    for (const id of ids) {
      expect(await harness.as('viewer').tasks.get({ id })).toMatchObject({ status: 'queued', attempt: 2 });
    }
    expect((await harness.as('viewer').workers.list())[0]?.status).toBe('lost');
  });

  it('let a worker that reconnects within its lease keep its tasks', async () => {
    const { worker, ids } = await runningTasks(2);
    await worker.session.return?.();
    const back = await connectWorker('busy', 2);
    await back.caller.workers.reconcile({ running: ids.map((taskId) => ({ taskId, attempt: 1 })) });
    await back.caller.workers.heartbeat({ running: ids });
    await harness.services.leases.check(Date.now() + 9_000);
    for (const id of ids) expect((await harness.as('viewer').tasks.get({ id })).status).toBe('running');
    // And its held tasks still count against its capacity.
    await harness.as('member').tasks.submit({ command: ['waits'] });
    const [queued] = await harness.as('viewer').tasks.list({ status: 'queued' });
    expect(queued?.waitingFor).toMatch(/waiting for a free slot on busy/);
  });
});

describe('events.appendMany', () => {
  it('answers each task’s batch on its own: acks, and the refusal a lone append would get', async () => {
    const { worker, ids } = await runningTasks(2);
    const [first, second] = ids as [string, string];
    const answers = await worker.caller.events.appendMany({
      batches: [
        { taskId: first, attempt: 1, events: [output(2, 'one\n'), output(3, 'two\n')] },
        { taskId: second, attempt: 2, events: [output(2, 'not mine\n')] },
        { taskId: second, attempt: 1, events: [output(2, 'mine\n')] },
      ],
    });
    expect(answers).toEqual([
      { ackedSeq: 3 },
      { error: { code: 'conflict', message: `attempt 2 of task ${second} is not held by this worker` } },
      { ackedSeq: 2 },
    ]);
    expect((await harness.as('viewer').events.list({ taskId: first })).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('refuses a call carrying more events than the limit, saying so', async () => {
    const { worker, ids } = await runningTasks(1);
    const events = Array.from({ length: 1000 }, (_, i) => output(i + 2, 'x\n'));
    const batches = Array.from({ length: 5 }, () => ({ taskId: ids[0] as string, attempt: 1, events }));
    await expect(worker.caller.events.appendMany({ batches })).rejects.toMatchObject({
      message: /more than the limit of 4000 events in all/,
    });
  });
});

describe('writes armed inside a write', () => {
  it('lets a timer an operation armed write once the operation is done (an approval’s expiry)', async () => {
    const { writes } = harness.services.database;
    let fired: Promise<string> | undefined;
    const timerDone = new Promise<void>((done) => {
      void writes.run(async () => {
        // Armed inside the operation; fires after it has finished.
        setTimeout(() => {
          fired = writes.run(async () => 'written by the timer');
          done();
        }, 20);
      });
    });
    await timerDone;
    await expect(fired).resolves.toBe('written by the timer');
  });
});

describe('a batch whose seqs are not consecutive', () => {
  it('is refused whole, so live readers never see an event the log does not hold', async () => {
    const { worker, ids } = await runningTasks(1);
    const taskId = ids[0] as string;
    const viewer = harness.as('viewer');
    const live = (await viewer.events.tail({ taskId, afterSeq: 1 }))[Symbol.asyncIterator]();
    for (const events of [
      [output(2, 'stored\n'), output(2, 'a second seq 2\n')],
      [output(2, 'two\n'), output(9, 'skips 3 to 8\n')],
    ]) {
      await expect(worker.caller.events.append({ taskId, attempt: 1, events })).rejects.toMatchObject({
        message: /consecutive seqs/,
      });
    }
    await worker.caller.events.append({ taskId, attempt: 1, events: [output(2, 'fine\n')] });
    const [first] = await take(live, 1);
    // The first live event is the good one: neither refused batch reached a reader (tracked: [id, event]).
    expect((first as unknown as unknown[])[1]).toMatchObject({ seq: 2, data: 'fine\n' });
    await live.return?.();
    expect((await viewer.events.list({ taskId })).map((e) => e.seq)).toEqual([1, 2]);
  });
});

describe('the size of a group commit', () => {
  it('counts what large events hold, so one transaction stays near 8 MiB however big its events', async () => {
    const { worker, ids } = await runningTasks(20);
    const transactions = countTransactions();
    const patch = 'x'.repeat(1000 * 1024); // a diff artifact near its 1 MiB limit
    let release = () => {};
    // Hold the writer so all twenty batches wait together, as under load.
    const held = harness.services.database.writes.run(
      () => new Promise<void>((resolve) => (release = resolve)),
    );
    const appends = ids.map((taskId) =>
      harness.services.events.append(worker.workerId, {
        taskId,
        attempt: 1,
        events: [
          {
            kind: 'artifact',
            branch: `nexa/${taskId}`,
            base: 'main',
            files: 1,
            insertions: 1,
            deletions: 0,
            stat: ' a | 1 +',
            patch,
            truncated: false,
            seq: 2,
            at: Date.now(),
          },
        ],
      }),
    );
    release();
    await Promise.all([held, ...appends]);
    // 20 MiB of diffs: at least three transactions (counted as 256 bytes each, they went in one).
    expect(transactions.count).toBeGreaterThanOrEqual(3);
  });
});
