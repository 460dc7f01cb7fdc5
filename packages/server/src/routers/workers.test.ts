import type { WorkerMessage } from '@nexa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, registration } from '../testing/harness.js';
import { take } from '../testing/iterate.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
});
afterEach(() => harness.close());

async function connectWorker(overrides: Parameters<typeof registration>[0] = {}) {
  const caller = harness.connection('worker');
  const session = (await caller.workers.connect(registration(overrides)))[Symbol.asyncIterator]();
  const [registered] = (await take(session, 1)) as [WorkerMessage];
  return { caller, session, registered };
}

describe('workers router', () => {
  it('registers a worker, then delivers assignments for queued tasks', async () => {
    const task = await harness.as('member').tasks.submit({ command: ['echo', 'hi'] });
    const { session, registered } = await connectWorker();
    expect(registered).toMatchObject({ type: 'registered', heartbeatMs: 2000 });
    const [assign] = await take(session, 1);
    expect(assign).toMatchObject({
      type: 'assign',
      assignment: { taskId: task.id, attempt: 1, firstSeq: 1, spec: { command: ['echo', 'hi'] } },
    });
    const stored = await harness.as('viewer').tasks.get({ id: task.id });
    expect(stored.status).toBe('assigned');
    expect(stored.workerId).toBe(registered.type === 'registered' ? registered.workerId : '');
    await session.return?.();
  });

  it('never assigns a worker more tasks than its capacity, and spreads tasks over workers', async () => {
    const a = await connectWorker({ name: 'a', instanceId: 'instance-a', capacity: 2 });
    const b = await connectWorker({ name: 'b', instanceId: 'instance-b', capacity: 2 });
    for (let i = 0; i < 5; i++) await harness.as('member').tasks.submit({ command: ['echo', String(i)] });
    await harness.services.scheduler.kick();
    const workers = await harness.as('viewer').workers.list();
    expect(workers.map((w) => [w.name, w.running, w.capacity])).toEqual([
      ['a', 2, 2],
      ['b', 2, 2],
    ]);
    expect((await harness.as('viewer').tasks.list({ status: 'queued', limit: 10 })).length).toBe(1);
    await a.session.return?.();
    await b.session.return?.();
  });

  it('schedules a task some worker can take, however many tasks no worker can take wait ahead of it', async () => {
    const member = harness.as('member');
    // Older and of higher priority than the plain task: ahead of it in the queue.
    for (let i = 0; i < 600; i++) {
      await member.tasks.submit({ command: ['nvidia-smi'], labels: { gpu: '1' }, priority: 5 });
    }
    // Another token's: the member has used its submissions for the minute (limits.rates.submitsPerMinute).
    const plain = await harness.as('admin').tasks.submit({ command: ['echo', 'hi'] });
    const worker = await connectWorker({ name: 'plain', instanceId: 'instance-plain' });
    const [assign] = await take(worker.session, 1);
    expect(assign).toMatchObject({ type: 'assign', assignment: { taskId: plain.id } });
    await worker.session.return?.();
  });

  it('only assigns a task to a worker with the labels it selects', async () => {
    const plain = await connectWorker({ name: 'plain', instanceId: 'instance-plain' });
    const task = await harness.as('member').tasks.submit({ command: ['nvidia-smi'], labels: { gpu: '1' } });
    await harness.services.scheduler.kick();
    expect((await harness.as('viewer').tasks.get({ id: task.id })).status).toBe('queued');
    const gpu = await connectWorker({ name: 'gpu', instanceId: 'instance-gpu', labels: { gpu: '1' } });
    const [assign] = await take(gpu.session, 1);
    expect(assign).toMatchObject({ type: 'assign', assignment: { taskId: task.id } });
    await plain.session.return?.();
    await gpu.session.return?.();
  });

  it('refuses a second process using a connected worker name, but lets the same process reconnect', async () => {
    const first = await connectWorker({ name: 'box', instanceId: 'instance-1' });
    const intruder = await harness
      .connection('worker')
      .workers.connect(registration({ name: 'box', instanceId: 'instance-2' }));
    await expect(take(intruder[Symbol.asyncIterator](), 1)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'a worker named "box" is already connected',
    });
    const again = await connectWorker({ name: 'box', instanceId: 'instance-1' });
    expect(again.registered).toEqual(first.registered);
    expect((await first.session.next()).done).toBe(true); // the old session was taken over
    await again.session.return?.();
  });

  it('shows a worker online while connected and offline after it disconnects', async () => {
    const { session } = await connectWorker({ name: 'x', instanceId: 'instance-x', labels: { os: 'linux' } });
    const [online] = await harness.as('viewer').workers.list();
    expect(online).toMatchObject({ name: 'x', status: 'online', labels: { os: 'linux' }, capacity: 2 });
    await session.return?.();
    const [offline] = await harness.as('viewer').workers.list();
    expect(offline?.status).toBe('offline');
  });

  it('refuses heartbeats from a connection that has not registered', async () => {
    await expect(harness.connection('worker').workers.heartbeat({ running: [] })).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
    const { caller, session } = await connectWorker();
    await expect(caller.workers.heartbeat({ running: [] })).resolves.toBeUndefined();
    await session.return?.();
  });
});
