import type { Task, TaskEvent, TaskEventBody, TaskFeedMessage, WorkerInfo } from '@nexa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, registration } from '../testing/harness.js';
import { take } from '../testing/iterate.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
});
afterEach(() => harness.close());

const event = (seq: number, body: TaskEventBody): TaskEvent =>
  ({ ...body, seq, at: Date.now() }) as TaskEvent;
const output = (seq: number, data: string) => event(seq, { kind: 'output', stream: 'stdout', data });
const usage = (seq: number, costUsd: number | null) =>
  event(seq, {
    kind: 'usage',
    model: null,
    inputTokens: 1,
    outputTokens: 1,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd,
  });

/** What a caller's subscription yields: tracked messages come as [id, data, marker], activity as is. */
type Yielded = TaskFeedMessage | [string, TaskFeedMessage, unknown];
const message = (value: Yielded): TaskFeedMessage => (Array.isArray(value) ? value[1] : value);
const trackedId = (value: Yielded) => (Array.isArray(value) ? value[0] : null);

async function connectWorker(name = 'w1') {
  const worker = harness.connection('worker');
  const session = (await worker.workers.connect(registration({ name, instanceId: `instance-${name}` })))[
    Symbol.asyncIterator
  ]();
  await take(session, 1);
  return { worker, session };
}

/** A running task on worker w1. */
async function runningTask() {
  const { worker, session } = await connectWorker();
  const task = await harness.as('member').tasks.submit({ command: ['echo'] });
  await take(session, 1);
  await worker.events.append({
    taskId: task.id,
    attempt: 1,
    events: [event(1, { kind: 'status', status: 'running' })],
  });
  return { worker, session, taskId: task.id };
}

async function watch(lastEventId?: string) {
  const feed = await harness.as('viewer').tasks.watch(lastEventId ? { lastEventId } : undefined);
  return (feed as AsyncIterable<Yielded>)[Symbol.asyncIterator]();
}

/** The next message that is not activity. */
async function nextTracked(feed: AsyncIterator<Yielded>): Promise<Yielded> {
  for (;;) {
    const { value, done } = await feed.next();
    if (done) throw new Error('the feed ended');
    if (message(value).type !== 'activity') return value;
  }
}

describe('task fields', () => {
  it('lists a running task with its worker name, last line of output as text, and latest cost', async () => {
    const { worker, taskId } = await runningTask();
    await worker.events.append({
      taskId,
      attempt: 1,
      events: [
        output(2, 'compiling\n\u001b[32mok\u001b[0m\n'),
        output(3, 'progress 10%\rprogress 60%'),
        usage(4, 0.5),
        usage(5, 1.25),
        usage(6, null),
      ],
    });
    const [listed] = await harness.as('viewer').tasks.list();
    expect(listed).toMatchObject({ id: taskId, workerName: 'w1', lastLine: 'progress 60%', costUsd: 1.25 });
    await worker.events.append({ taskId, attempt: 1, events: [output(7, '\rprogress 100%\n\n')] });
    expect((await harness.as('viewer').tasks.get({ id: taskId })).lastLine).toBe('progress 100%');
  });

  it('keeps them on the task row once it ends, so a restarted coordinator still shows them', async () => {
    const { worker, taskId } = await runningTask();
    await worker.events.append({
      taskId,
      attempt: 1,
      events: [
        output(2, 'last words\n'),
        usage(3, 0.75),
        event(4, { kind: 'status', status: 'succeeded', exitCode: 0 }),
      ],
    });
    expect(harness.services.activity.of(taskId)).toBeUndefined(); // memory let go
    expect(await harness.services.tasks.row(taskId)).toMatchObject({ lastLine: 'last words', costUsd: 0.75 });
    expect((await harness.as('viewer').tasks.list())[0]).toMatchObject({
      lastLine: 'last words',
      costUsd: 0.75,
    });
  });

  it('is null for a task that printed nothing and reported no cost', async () => {
    const task = await harness.as('member').tasks.submit({ command: ['true'] });
    expect(task).toMatchObject({ workerName: null, lastLine: null, costUsd: null });
  });
});

describe('tasks.watch', () => {
  it('starts with a snapshot, then sends each change in order with its cursor', async () => {
    const first = await harness.as('member').tasks.submit({ command: ['true'] });
    const feed = await watch();
    const snapshot = await nextTracked(feed);
    expect(message(snapshot)).toMatchObject({
      type: 'snapshot',
      tasks: [{ id: first.id, status: 'queued' }],
    });
    const cursor = Number(trackedId(snapshot));
    expect(cursor).toBeGreaterThan(0);

    const { session } = await connectWorker();
    await take(session, 1); // the first task is assigned
    const changed = message(await nextTracked(feed));
    expect(changed).toMatchObject({
      type: 'task',
      task: { id: first.id, status: 'assigned', workerName: 'w1' },
    });
    expect((changed as { cursor: number }).cursor).toBeGreaterThan(cursor);
    const second = await harness.as('member').tasks.submit({ command: ['false'] });
    const again = await nextTracked(feed);
    expect(message(again)).toMatchObject({ type: 'task', task: { id: second.id } });
    expect(Number(trackedId(again))).toBeGreaterThan((changed as { cursor: number }).cursor);
  });

  it('does not send lease renewals: a heartbeat changes nothing a viewer sees', async () => {
    const { worker, taskId } = await runningTask();
    const before = (await harness.services.tasks.row(taskId))?.changeSeq;
    await worker.workers.heartbeat({ running: [taskId] });
    expect((await harness.services.tasks.row(taskId))?.changeSeq).toBe(before);
    await worker.events.append({
      taskId,
      attempt: 1,
      events: [event(2, { kind: 'status', status: 'succeeded', exitCode: 0 })],
    });
    expect((await harness.services.tasks.row(taskId))?.changeSeq).toBeGreaterThan(before ?? 0);
  });

  it('resumes after a cursor with every task changed since, each once, then live', async () => {
    const a = await harness.as('member').tasks.submit({ command: ['a'] });
    const feed = await watch();
    const snapshot = await nextTracked(feed);
    const b = await harness.as('member').tasks.submit({ command: ['b'] });
    await harness.as('member').tasks.cancel({ id: a.id });
    const c = await harness.as('member').tasks.submit({ command: ['c'] });
    await feed.return?.();

    const resumed = await watch(trackedId(snapshot) ?? undefined);
    const replayed = [await nextTracked(resumed), await nextTracked(resumed), await nextTracked(resumed)];
    expect(replayed.map((m) => (message(m) as { task: Task }).task.id)).toEqual([b.id, a.id, c.id]);
    expect(message(replayed[1] as Yielded)).toMatchObject({ task: { status: 'cancelled' } });
    const ids = replayed.map((m) => Number(trackedId(m)));
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    const d = await harness.as('member').tasks.submit({ command: ['d'] });
    expect(message(await nextTracked(resumed))).toMatchObject({ type: 'task', task: { id: d.id } });
  });

  it('masks env values in the feed for a viewer who did not create the task', async () => {
    await harness.as('member').tasks.submit({ command: ['true'], env: { API_TOKEN: 'secret' } });
    const snapshot = message(await nextTracked(await watch()));
    expect(snapshot).toMatchObject({ type: 'snapshot', tasks: [{ env: { API_TOKEN: '***' } }] });
  });

  it('sends running tasks activity, coalesced, and nothing when the line shows nothing new', async () => {
    const { worker, taskId } = await runningTask();
    const feed = await watch();
    await nextTracked(feed); // snapshot
    const started = Date.now();
    for (let seq = 2; seq <= 50; seq++)
      await worker.events.append({ taskId, attempt: 1, events: [output(seq, `line ${seq}\n`)] });
    await worker.events.append({ taskId, attempt: 1, events: [output(51, '\n\n'), usage(52, 2)] });
    const seen: TaskFeedMessage[] = [];
    while (!seen.some((m) => m.type === 'activity' && m.tasks[0]?.costUsd === 2))
      seen.push(message((await feed.next()).value as Yielded));
    const elapsed = Date.now() - started;
    const activity = seen.filter((m) => m.type === 'activity');
    // 51 appends reached the watcher as a few messages: at most one every 250 ms.
    expect(activity.length).toBeLessThanOrEqual(Math.floor(elapsed / 250) + 1);
    expect(activity.length).toBeLessThan(51);
    expect(activity.at(-1)).toEqual({
      type: 'activity',
      tasks: [{ id: taskId, lastLine: 'line 50', costUsd: 2 }],
    });
  });

  it('refuses a cursor that is not one', async () => {
    await expect(harness.as('viewer').tasks.watch({ lastEventId: 'abc' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });
});

describe('workers.watch and workers.undrain', () => {
  it('sends the worker list at once, then again when a worker is drained or undrained', async () => {
    await connectWorker('w1');
    const feed = (await harness.as('viewer').workers.watch())[Symbol.asyncIterator]();
    const status = (list: unknown) => (list as WorkerInfo[]).map((w) => `${w.name}:${w.status}`);
    expect(status((await feed.next()).value)).toEqual(['w1:online']);
    await harness.as('admin').workers.drain({ id: 'w1' });
    expect(status((await feed.next()).value)).toEqual(['w1:draining']);
    const undrained = await harness.as('admin').workers.undrain({ id: 'w1' });
    expect(undrained).toMatchObject({ name: 'w1', status: 'online' });
    expect(status((await feed.next()).value)).toEqual(['w1:online']);
    await connectWorker('w2');
    expect(status((await feed.next()).value)).toEqual(['w1:online', 'w2:online']);
  });

  it('sends the list again when a worker starts running a task', async () => {
    const { session } = await connectWorker('w1');
    const feed = (await harness.as('viewer').workers.watch())[Symbol.asyncIterator]();
    expect(((await feed.next()).value as WorkerInfo[])[0]?.running).toBe(0);
    await harness.as('member').tasks.submit({ command: ['true'] });
    await take(session, 1);
    expect(((await feed.next()).value as WorkerInfo[])[0]?.running).toBe(1);
  });

  it('an undrained worker takes tasks again; an unknown one is a clear not_found', async () => {
    const { session } = await connectWorker('w1');
    await harness.as('admin').workers.drain({ id: 'w1' });
    const task = await harness.as('member').tasks.submit({ command: ['true'] });
    await harness.as('admin').workers.undrain({ id: 'w1' });
    expect((await take(session, 1))[0]).toMatchObject({ type: 'assign', assignment: { taskId: task.id } });
    await expect(harness.as('admin').workers.undrain({ id: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'no worker nope',
    });
    await expect(harness.as('member').workers.undrain({ id: 'w1' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
