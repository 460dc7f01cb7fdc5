import type { TaskEvent, TaskEventBody } from '@nexa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, registration } from '../testing/harness.js';
import { drain, take } from '../testing/iterate.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
});
afterEach(() => harness.close());

const at = 1_700_000_000_000;
const event = (seq: number, body: TaskEventBody): TaskEvent => ({ ...body, seq, at }) as TaskEvent;
/** tRPC's tracked() envelope is [id, data, marker]; the id is the event's seq. */
const trackedId = (envelope: unknown) => (envelope as [string, TaskEvent])[0];
const line = (seq: number, text = `line ${seq}\n`) =>
  event(seq, { kind: 'output', stream: 'stdout', data: text });

/** A task assigned to a connected worker; returns the worker's connection and the task id. */
async function assignedTask(name = 'w1') {
  const worker = harness.connection('worker');
  const session = (await worker.workers.connect(registration({ name, instanceId: `instance-${name}` })))[
    Symbol.asyncIterator
  ]();
  await take(session, 1);
  const task = await harness.as('member').tasks.submit({ command: ['echo'] });
  await take(session, 1);
  return { worker, session, taskId: task.id };
}

describe('events router', () => {
  it('stores a batch, moves the task through running to its final status, and records the exit code', async () => {
    const { worker, taskId } = await assignedTask();
    await worker.events.append({
      taskId,
      attempt: 1,
      events: [event(1, { kind: 'status', status: 'running' })],
    });
    expect((await harness.as('viewer').tasks.get({ id: taskId })).status).toBe('running');
    await worker.events.append({
      taskId,
      attempt: 1,
      events: [line(2), event(3, { kind: 'status', status: 'failed', exitCode: 3 })],
    });
    const task = await harness.as('viewer').tasks.get({ id: taskId });
    expect(task).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(task.finishedAt).not.toBeNull();
    expect((await harness.as('viewer').events.list({ taskId })).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('stores a retried batch once', async () => {
    const { worker, taskId } = await assignedTask();
    const batch = { taskId, attempt: 1, events: [line(1), line(2)] };
    await worker.events.append(batch);
    await worker.events.append(batch);
    const final = {
      taskId,
      attempt: 1,
      events: [event(3, { kind: 'status', status: 'succeeded', exitCode: 0 })],
    };
    await worker.events.append(final);
    await expect(worker.events.append(final)).resolves.toEqual({ ackedSeq: 3 }); // ack lost, retried after the end
    expect((await harness.as('viewer').events.list({ taskId })).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('refuses events from a worker that does not hold the task', async () => {
    const { taskId } = await assignedTask('holder');
    const other = harness.connection('worker');
    const session = (
      await other.workers.connect(registration({ name: 'other', instanceId: 'instance-other' }))
    )[Symbol.asyncIterator]();
    await take(session, 1);
    await expect(other.events.append({ taskId, attempt: 1, events: [line(1)] })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await harness.as('viewer').events.list({ taskId })).toEqual([]);
  });

  it('tails stored events, then live ones, and ends after the final status', async () => {
    const { worker, taskId } = await assignedTask();
    await worker.events.append({ taskId, attempt: 1, events: [line(1), line(2)] });
    const tail = (await harness.as('viewer').events.tail({ taskId }))[Symbol.asyncIterator]();
    const stored = await take(tail, 2);
    await worker.events.append({
      taskId,
      attempt: 1,
      events: [line(3), event(4, { kind: 'status', status: 'succeeded', exitCode: 0 })],
    });
    const rest = await drain({ [Symbol.asyncIterator]: () => tail });
    const seqs = [...stored, ...rest].map(trackedId);
    expect(seqs).toEqual(['1', '2', '3', '4']);
  });

  it('resumes a tail after the last event id a client saw', async () => {
    const { worker, taskId } = await assignedTask();
    await worker.events.append({
      taskId,
      attempt: 1,
      events: [line(1), line(2), line(3), event(4, { kind: 'status', status: 'succeeded', exitCode: 0 })],
    });
    const resumed = await drain(await harness.as('viewer').events.tail({ taskId, lastEventId: '2' }));
    expect(resumed.map(trackedId)).toEqual(['3', '4']);
  });

  it('gives a reader that fell far behind every event exactly once, from the database', async () => {
    const { worker, taskId } = await assignedTask();
    await worker.events.append({ taskId, attempt: 1, events: [line(1)] });
    const tail = (await harness.as('viewer').events.tail({ taskId }))[Symbol.asyncIterator]();
    await take(tail, 1); // now following live
    // 12,000 live events while the reader reads nothing: more than its live buffer holds.
    let seq = 2;
    for (let batch = 0; batch < 12; batch++) {
      const events = Array.from({ length: 1000 }, () => line(seq++));
      await worker.events.append({ taskId, attempt: 1, events });
    }
    await worker.events.append({
      taskId,
      attempt: 1,
      events: [event(seq, { kind: 'status', status: 'succeeded', exitCode: 0 })],
    });
    const rest = await drain({ [Symbol.asyncIterator]: () => tail });
    const ids = rest.map((envelope) => Number(trackedId(envelope)));
    expect(ids.length).toBe(seq - 1);
    expect(ids.every((id, index) => id === index + 2)).toBe(true);
  });
});
