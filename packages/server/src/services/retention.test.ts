import type { StoredTaskEvent, TaskEvent, WorkerMessage } from '@nexa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, registration } from '../testing/harness.js';
import { take } from '../testing/iterate.js';
import { MARKER_KIND, RetentionService } from './retention.js';

let harness: Harness;
let retention: RetentionService | undefined;
beforeEach(async () => {
  harness = await createHarness();
});
afterEach(async () => {
  await retention?.stop();
  retention = undefined;
  await harness.close();
});

const DAY = 86_400_000;
const line = (seq: number) => `line ${String(seq).padStart(6, '0')} ${'x'.repeat(80)}\n`;
const output = (seq: number): TaskEvent => ({
  kind: 'output',
  stream: 'stdout',
  data: line(seq),
  seq,
  at: Date.now(),
});

/** A task running on a connected worker, and a way to append to its log as that worker. */
async function runningTask() {
  const caller = harness.connection('worker');
  const session = (await caller.workers.connect(registration()))[Symbol.asyncIterator]();
  await take(session, 1); // registered
  const task = await harness.as('member').tasks.submit({ command: ['yes'] });
  const [assigned] = (await take(session, 1)) as [Extract<WorkerMessage, { type: 'assign' }>];
  expect(assigned.assignment.taskId).toBe(task.id);
  const append = async (events: TaskEvent[]) => {
    for (let i = 0; i < events.length; i += 1000) {
      await caller.events.append({ taskId: task.id, attempt: 1, events: events.slice(i, i + 1000) });
    }
  };
  await append([{ kind: 'status', status: 'running', seq: 1, at: Date.now() }]);
  return { id: task.id, append };
}

const outputs = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => output(from + i));

/** The whole log as `nexa logs` reads it: events.tail from the start to the final status. */
async function tailAll(taskId: string): Promise<StoredTaskEvent[]> {
  const events: StoredTaskEvent[] = [];
  for await (const event of harness.services.events.tail(taskId, 0, AbortSignal.timeout(10_000)))
    events.push(event);
  return events;
}

function isMarker(event: StoredTaskEvent): boolean {
  return event.kind === 'output' && event.data.includes('[nexa]');
}

async function storedBytes(taskId: string): Promise<number> {
  const { rows } = await harness.services.database.client.execute({
    sql: 'SELECT sum(octet_length(body)) AS bytes FROM task_events WHERE task_id = ?',
    args: [taskId],
  });
  return Number(rows[0]?.bytes);
}

describe('log retention', () => {
  it("removes a finished task's log after --log-retention, keeping its statuses and a marker", async () => {
    const task = await runningTask();
    await task.append([
      ...outputs(2, 11),
      { kind: 'status', status: 'succeeded', exitCode: 0, seq: 12, at: Date.now() },
    ]);

    const options = { logRetentionMs: DAY, maxTaskLogBytes: null, log: () => {} };
    // A day later it is kept; two days later it is not.
    await new RetentionService(harness.services.database, {
      ...options,
      now: () => Date.now() + DAY / 2,
    }).expire();
    expect(await tailAll(task.id)).toHaveLength(12);
    retention = new RetentionService(harness.services.database, {
      ...options,
      now: () => Date.now() + 2 * DAY,
    });
    await retention.expire();

    const log = await tailAll(task.id);
    expect(log.map((event) => [event.seq, event.kind])).toEqual([
      [1, 'status'],
      [2, 'output'],
      [12, 'status'],
    ]);
    expect(log[1]).toMatchObject({
      stream: 'stderr',
      data: expect.stringContaining('[nexa] 10 events (') as unknown,
    });
    expect(log[1]?.kind === 'output' && log[1].data).toMatch(
      /removed: logs are kept 1 days after a task ends/,
    );
    expect(await harness.services.events.list(task.id, 0, 100)).toEqual(log);

    // Expiring again changes nothing (the marker is not counted twice).
    await retention.expire();
    await new RetentionService(harness.services.database, {
      ...options,
      now: () => Date.now() + 3 * DAY,
    }).expire();
    expect(await tailAll(task.id)).toEqual(log);
  });

  it("cuts a running task's log over --max-task-log to its head and tail, with one marker, as it prints", async () => {
    const cap = 64 * 1024;
    retention = new RetentionService(harness.services.database, {
      logRetentionMs: null,
      maxTaskLogBytes: cap,
      log: () => {},
    });
    harness.services.events.onStored = (taskId, bytes) => retention?.noteStored(taskId, bytes);
    const task = await runningTask();

    await task.append(outputs(2, 3000)); // about 400 KiB: over the cap
    await retention.kick();
    const first = await harness.services.events.list(task.id, 0, 1000);
    const markerAt = first.findIndex(isMarker);
    expect(markerAt).toBeGreaterThan(100);
    expect(first.slice(0, markerAt).map((event) => event.seq)).toEqual(
      Array.from({ length: markerAt }, (_, i) => i + 1), // the head, untouched
    );
    expect(await storedBytes(task.id)).toBeLessThanOrEqual(cap + 1024);

    // It goes on printing: the middle grows, the marker stays one and counts everything removed.
    await task.append([
      ...outputs(3001, 6000),
      { kind: 'status', status: 'succeeded', exitCode: 0, seq: 6001, at: Date.now() },
    ]);
    await retention.kick();
    const log = await tailAll(task.id);
    const markers = log.filter(isMarker);
    expect(markers).toHaveLength(1);
    const marker = markers[0] as StoredTaskEvent;
    expect(marker.seq).toBe(first[markerAt]?.seq);
    const seqs = log.map((event) => event.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b)); // in order, each once
    expect(log.slice(0, log.indexOf(marker))).toEqual(first.slice(0, markerAt));
    const tail = log.slice(log.indexOf(marker) + 1);
    expect(tail.at(-1)).toMatchObject({ kind: 'status', status: 'succeeded', seq: 6001 });
    expect(tail.at(-2)).toMatchObject({ kind: 'output', data: line(6000), seq: 6000 });
    const tailSeqs = tail.map((event) => event.seq);
    expect(tailSeqs).toEqual(Array.from({ length: tail.length }, (_, i) => 6001 - tail.length + 1 + i)); // no gap
    const removed = 6001 - (log.length - 1); // every seq but those kept (the marker took a removed one's)
    expect(marker.kind === 'output' && marker.data).toContain(`[nexa] ${removed} events (`);
    expect(marker.kind === 'output' && marker.data).toMatch(/over --max-task-log 64 KiB/);
    expect(await storedBytes(task.id)).toBeLessThanOrEqual(cap + 1024);
    const { rows } = await harness.services.database.client.execute({
      sql: 'SELECT count(*) AS n FROM task_events WHERE task_id = ? AND kind = ?',
      args: [task.id, MARKER_KIND],
    });
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it('never removes status events, and leaves a log under the cap alone', async () => {
    retention = new RetentionService(harness.services.database, {
      logRetentionMs: null,
      maxTaskLogBytes: 16 * 1024,
      log: () => {},
    });
    const task = await runningTask();
    await task.append(outputs(2, 50)); // about 6 KiB
    await retention.cap(task.id);
    expect(await harness.services.events.list(task.id, 0, 1000)).toHaveLength(50);
    await task.append([
      ...outputs(51, 200),
      { kind: 'status', status: 'waiting_approval', seq: 201, at: Date.now() },
      { kind: 'status', status: 'running', seq: 202, at: Date.now() },
      ...outputs(203, 400),
    ]);
    await retention.cap(task.id);
    const log = await harness.services.events.list(task.id, 0, 1000);
    expect(log.filter(isMarker)).toHaveLength(1);
    expect(log.filter((event) => event.kind === 'status').map((event) => event.seq)).toEqual([1, 201, 202]);
  });

  it('keeps the newest event however big, so the log still ends where its seqs do', async () => {
    retention = new RetentionService(harness.services.database, {
      logRetentionMs: null,
      maxTaskLogBytes: 64 * 1024,
      log: () => {},
    });
    const task = await runningTask();
    const chunk = (seq: number): TaskEvent => ({
      kind: 'output',
      stream: 'stdout',
      data: `${seq} ${'y'.repeat(60 * 1024)}\n`, // a worker's 64 KiB chunk: more than half the cap
      seq,
      at: Date.now(),
    });
    await task.append(Array.from({ length: 9 }, (_, i) => chunk(i + 2)));
    await retention.cap(task.id);
    const log = await harness.services.events.list(task.id, 0, 1000);
    expect(log.at(-1)).toMatchObject({ seq: 10, data: expect.stringMatching(/^10 y/) as unknown });
    expect(await harness.services.events.lastSeq(task.id)).toBe(10);
    expect(log.filter(isMarker)).toHaveLength(1);
  });
});
