import type { TaskEvent, TaskEventBody, WorkerMessage } from '@nexa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, registration } from '../testing/harness.js';
import { take } from '../testing/iterate.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness({ leaseMs: 10_000 });
});
afterEach(() => harness.close());

const event = (seq: number, body: TaskEventBody): TaskEvent =>
  ({ ...body, seq, at: Date.now() }) as TaskEvent;

async function connectWorker(name: string, labels: Record<string, string> = {}, capacity = 2) {
  const caller = harness.connection('worker');
  const session = (
    await caller.workers.connect(registration({ name, instanceId: `instance-${name}`, labels, capacity }))
  )[Symbol.asyncIterator]();
  const [registered] = (await take(session, 1)) as [Extract<WorkerMessage, { type: 'registered' }>];
  return {
    caller,
    session,
    workerId: registered.workerId,
    next: async () => (await take(session, 1))[0] as WorkerMessage,
  };
}

/** Pretends the lease clock ran past every lease (no waiting in tests). */
const expireLeases = () => harness.services.leases.check(Date.now() + 60_000);
const viewer = () => harness.as('viewer');

describe('leases and lost workers', () => {
  it('runs a lost worker’s task again elsewhere, keeping each attempt in the history', async () => {
    const first = await connectWorker('first');
    const task = await harness.as('member').tasks.submit({ command: ['make'] });
    await first.next(); // assigned to first
    await first.caller.events.append({
      taskId: task.id,
      attempt: 1,
      events: [
        event(1, { kind: 'status', status: 'running' }),
        event(2, { kind: 'output', stream: 'stdout', data: 'half\n' }),
      ],
    });

    await expireLeases();
    const requeued = await viewer().tasks.get({ id: task.id });
    expect(requeued).toMatchObject({ status: 'queued', attempt: 2, workerId: null });
    expect((await viewer().workers.list()).find((w) => w.name === 'first')?.status).toBe('lost');

    // The lost worker may not write into the task any more, even if it wakes up.
    await expect(
      first.caller.events.append({
        taskId: task.id,
        attempt: 1,
        events: [event(3, { kind: 'output', stream: 'stdout', data: 'late\n' })],
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });

    const second = await connectWorker('second');
    expect(await second.next()).toMatchObject({
      type: 'assign',
      assignment: { taskId: task.id, attempt: 2, firstSeq: 4 },
    });
    await second.caller.events.append({
      taskId: task.id,
      attempt: 2,
      events: [
        event(4, { kind: 'status', status: 'running' }),
        event(5, { kind: 'status', status: 'succeeded', exitCode: 0 }),
      ],
    });
    const done = await viewer().tasks.get({ id: task.id });
    expect(done.status).toBe('succeeded');
    expect(done.attempts.map((a) => [a.attempt, a.workerId, a.status])).toEqual([
      [1, first.workerId, 'lost'],
      [2, second.workerId, 'succeeded'],
    ]);
    const log = await viewer().events.list({ taskId: task.id });
    expect(log.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(log[2]).toMatchObject({ kind: 'status', status: 'queued', attempt: 1 });
  });

  it('fails a task with reason worker_lost when no attempts remain', async () => {
    const worker = await connectWorker('only');
    const task = await harness.as('member').tasks.submit({ command: ['make'], maxAttempts: 1 });
    await worker.next();
    await expireLeases();
    expect(await viewer().tasks.get({ id: task.id })).toMatchObject({
      status: 'failed',
      reason: 'worker_lost',
      exitCode: null,
    });
  });

  it('keeps the leases of a worker that sends heartbeats', async () => {
    const worker = await connectWorker('alive');
    const task = await harness.as('member').tasks.submit({ command: ['make'] });
    await worker.next();
    await worker.caller.workers.heartbeat({ running: [task.id] });
    await harness.services.leases.check(Date.now() + 5_000); // within the 10 s lease
    expect((await viewer().tasks.get({ id: task.id })).status).toBe('assigned');
  });

  it('lets the lease of a task its worker no longer runs lapse', async () => {
    const worker = await connectWorker('forgetful');
    const task = await harness.as('member').tasks.submit({ command: ['make'] });
    await worker.next();
    await worker.caller.workers.heartbeat({ running: [] });
    await harness.services.leases.check(Date.now() + 11_000);
    expect(await viewer().tasks.get({ id: task.id })).toMatchObject({ status: 'queued', attempt: 2 });
  });
});

describe('cancel, retry and hand back', () => {
  it('cancels a queued task at once', async () => {
    const task = await harness.as('member').tasks.submit({ command: ['sleep', '60'] });
    await harness.as('member').tasks.cancel({ id: task.id });
    const log = await viewer().events.list({ taskId: task.id });
    expect(log).toEqual([expect.objectContaining({ kind: 'status', status: 'cancelled' })]);
    await expect(harness.as('member').tasks.cancel({ id: task.id })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('tells a running task’s worker to stop, and ends the task cancelled whatever it reports', async () => {
    const worker = await connectWorker('w');
    const task = await harness.as('member').tasks.submit({ command: ['sleep', '60'], graceMs: 1500 });
    await worker.next();
    await worker.caller.events.append({
      taskId: task.id,
      attempt: 1,
      events: [event(1, { kind: 'status', status: 'running' })],
    });
    await harness.as('member').tasks.cancel({ id: task.id });
    expect(await worker.next()).toEqual({
      type: 'stop',
      taskId: task.id,
      attempt: 1,
      reason: 'cancelled',
      graceMs: 1500,
    });
    await worker.caller.events.append({
      taskId: task.id,
      attempt: 1,
      events: [event(2, { kind: 'status', status: 'failed', exitCode: 143, reason: 'killed by SIGTERM' })],
    });
    expect(await viewer().tasks.get({ id: task.id })).toMatchObject({ status: 'cancelled', exitCode: 143 });
  });

  it('retries a finished task as a new attempt that continues the log', async () => {
    const worker = await connectWorker('w');
    const task = await harness.as('member').tasks.submit({ command: ['false'], maxAttempts: 1 });
    await worker.next();
    await worker.caller.events.append({
      taskId: task.id,
      attempt: 1,
      events: [
        event(1, { kind: 'status', status: 'running' }),
        event(2, { kind: 'status', status: 'failed', exitCode: 1 }),
      ],
    });
    await expect(harness.as('member').tasks.retry({ id: task.id })).resolves.toMatchObject({
      status: 'queued',
      attempt: 2,
      maxAttempts: 2,
      exitCode: null,
    });
    expect(await worker.next()).toMatchObject({ type: 'assign', assignment: { attempt: 2, firstSeq: 4 } });
  });

  it('keeps a tail open past a final status that a retry has superseded', async () => {
    const worker = await connectWorker('w');
    const task = await harness.as('member').tasks.submit({ command: ['false'] });
    await worker.next();
    await worker.caller.events.append({
      taskId: task.id,
      attempt: 1,
      events: [
        event(1, { kind: 'status', status: 'running' }),
        event(2, { kind: 'status', status: 'failed', exitCode: 1 }),
      ],
    });
    await harness.as('member').tasks.retry({ id: task.id });
    const tail = (await viewer().events.tail({ taskId: task.id }))[Symbol.asyncIterator]();
    expect((await take(tail, 3)).length).toBe(3); // running, failed (attempt 1), queued (retry): still open
    await worker.next();
    await worker.caller.events.append({
      taskId: task.id,
      attempt: 2,
      events: [
        event(4, { kind: 'status', status: 'running' }),
        event(5, { kind: 'status', status: 'succeeded', exitCode: 0 }),
      ],
    });
    expect((await take(tail, 3)).length).toBe(2); // attempt 2 ran, and its final status ended the tail
  });

  it('refuses to retry a task that has not ended', async () => {
    const task = await harness.as('member').tasks.submit({ command: ['true'] });
    await expect(harness.as('member').tasks.retry({ id: task.id })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('queues a handed-back task again without using up an attempt', async () => {
    const worker = await connectWorker('leaving');
    const task = await harness.as('member').tasks.submit({ command: ['make'], maxAttempts: 1 });
    await worker.next();
    await worker.caller.workers.leave();
    await worker.caller.tasks.handBack({ taskId: task.id, attempt: 1 });
    expect(await viewer().tasks.get({ id: task.id })).toMatchObject({
      status: 'queued',
      attempt: 2,
      maxAttempts: 2,
      waitingFor: 'every eligible worker is draining (leaving)',
    });
  });
});

describe('reconnecting workers', () => {
  it('stops attempts the worker should no longer run and resends assignments it never got', async () => {
    const worker = await connectWorker('w');
    const missed = await harness.as('member').tasks.submit({ command: ['a'] });
    await worker.next(); // delivered to the old session, pretend it was lost on the way
    await worker.session.return?.();

    const again = await connectWorker('w');
    await again.caller.workers.reconcile({ running: [{ taskId: 't-gone', attempt: 3 }] });
    const messages = [await again.next(), await again.next()];
    expect(messages).toContainEqual({
      type: 'stop',
      taskId: 't-gone',
      attempt: 3,
      reason: 'reassigned',
      graceMs: 0,
    });
    expect(messages).toContainEqual(
      expect.objectContaining({ type: 'assign', assignment: expect.objectContaining({ taskId: missed.id }) }),
    );
  });

  it('runs again elsewhere a task its worker was running but lost in a restart', async () => {
    const worker = await connectWorker('w');
    const task = await harness.as('member').tasks.submit({ command: ['a'] });
    await worker.next();
    await worker.caller.events.append({
      taskId: task.id,
      attempt: 1,
      events: [event(1, { kind: 'status', status: 'running' })],
    });
    await worker.session.return?.();
    const restarted = await connectWorker('w');
    await restarted.caller.workers.reconcile({ running: [] });
    expect(await restarted.next()).toMatchObject({
      type: 'assign',
      assignment: { taskId: task.id, attempt: 2, firstSeq: 3 },
    });
  });
});

describe('scheduling', () => {
  it('says why a task waits, and stops assigning to a drained worker', async () => {
    const task = await harness.as('member').tasks.submit({ command: ['nvidia-smi'], labels: { gpu: '1' } });
    expect((await viewer().tasks.get({ id: task.id })).waitingFor).toBe('no worker is connected');
    const plain = await connectWorker('plain');
    expect((await viewer().tasks.get({ id: task.id })).waitingFor).toBe(
      'no connected worker has label gpu=1',
    );
    await harness.as('admin').workers.drain({ id: 'plain' });
    const drained = await harness.as('member').tasks.submit({ command: ['true'] });
    await harness.services.scheduler.kick();
    expect((await viewer().tasks.get({ id: drained.id })).waitingFor).toBe(
      'every eligible worker is draining (plain)',
    );
    expect((await viewer().workers.list())[0]?.status).toBe('draining');
    await plain.session.return?.();
  });
});

describe('sandboxes', () => {
  it('routes a task only to a worker that offers its sandbox, and says why it waits', async () => {
    const bwrapOnly = await connectWorker('bwrap-box');
    const docker = await harness.as('member').tasks.submit({ command: ['true'], sandbox: 'docker' });
    const plain = await harness.as('member').tasks.submit({ command: ['true'], sandbox: 'process' });
    await harness.services.scheduler.kick();
    expect((await viewer().tasks.get({ id: docker.id })).waitingFor).toBe(
      'no connected worker offers the docker sandbox',
    );
    expect((await viewer().tasks.get({ id: plain.id })).waitingFor).toBe(
      'no connected worker allows the process sandbox (start one with --allow-unsandboxed)',
    );
    const walled = await harness.as('member').tasks.submit({ command: ['true'] });
    expect(await bwrapOnly.next()).toMatchObject({ type: 'assign', assignment: { taskId: walled.id } });
  });
});
