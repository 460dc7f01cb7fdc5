import { limits, type Principal, type ThreadMessage } from '@nexa/core';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { threads } from '../db/schema.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { connectWorker, event } from '../testing/workers.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
});
afterEach(() => harness.close());

const person: Principal = { jti: 'test-member', role: 'member', subject: 'ada', projects: null };

/**
 * Holds the write queue until `open` is called and counts the writes that
 * run from then on (the held one included): `writes()`, once the posts are
 * answered, tells how many writes they took.
 */
function holdWriter() {
  const { writes } = harness.services.database;
  let open = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const held = writes.run(() => gate);
  let count = 0;
  const stop = writes.afterEachWrite(() => count++);
  return {
    open,
    writes: async () => {
      await held;
      await writes.idle();
      stop();
      return count;
    },
  };
}

/** A running claude task and its attempt's principal, as its `nexa mcp` is. */
async function runningAgent() {
  const worker = await connectWorker(harness, 'w1');
  const task = await harness.as('member').tasks.submit({ agent: 'claude', prompt: 'work', sandbox: 'bwrap' });
  const { assignment } = await worker.nextOf('assign');
  await worker.caller.events.append({
    taskId: task.id,
    attempt: 1,
    events: [event(1, { kind: 'status', status: 'running' })],
  });
  return { task, worker, principal: await harness.services.tokens.verify(assignment.token ?? '') };
}

describe('posts', () => {
  it('that wait for the writer go in one write: seqs in order per thread, each checked on its own', async () => {
    const { threads: service, database } = harness.services;
    const { task, worker, principal: agent } = await runningAgent();
    const a = await service.create('default', 'a', 'ada');
    const full = await service.create('default', 'nearly full', 'ada');
    const first = await service.post(person, {
      threadId: a.id,
      body: 'first',
      kind: 'message',
      replyTo: null,
    });
    await database.writes.run((writer) =>
      writer.db
        .update(threads)
        .set({ messages: limits.conversation.threadMessages - 1 })
        .where(eq(threads.id, full.id)),
    );

    const writer = holdWriter();
    const post = (by: Principal, threadId: string, body: string, replyTo: string | null = null) =>
      service.post(by, { threadId, body, kind: 'message', replyTo });
    const answered = Promise.allSettled([
      post(person, a.id, 'two'),
      post(person, a.id, 'a reply', first.id),
      post(person, a.id, 'a reply to nothing', 'm-missing'),
      post(person, full.id, 'the last one'),
      post(person, full.id, 'one too many'),
      post(agent, a.id, 'from the agent'),
      post(person, task.id, 'a follow-up'),
      post(agent, task.id, 'its own note'),
      post(person, 'h-missing', 'into nowhere'),
      post(person, a.id, 'three'),
    ]);
    writer.open();
    const outcomes = await answered;
    expect(await writer.writes()).toBe(2); // the held write, then one for the whole group

    const value = (index: number) => (outcomes[index] as PromiseFulfilledResult<ThreadMessage>).value;
    const reason = (index: number) => (outcomes[index] as PromiseRejectedResult).reason;
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(reason(2)).toMatchObject({
      code: 'invalid_input',
      message: `message m-missing is not in thread ${a.id}`,
    });
    expect(reason(4)).toMatchObject({
      code: 'conflict',
      message: `thread ${full.id} has ${limits.conversation.threadMessages} messages, the limit for one thread`,
    });
    expect(reason(8)).toMatchObject({ code: 'not_found', message: 'no thread h-missing' });
    expect(value(3).seq).toBe(limits.conversation.threadMessages);
    expect(value(1).replyTo).toBe(first.id);
    expect(value(5).author).toEqual({ kind: 'agent', name: 'claude', taskId: task.id, workerName: 'w1' });
    expect(value(7).author).toEqual(value(5).author);

    const stored = await service.messagesAfter(a.id, 0, 100);
    expect(stored.map((message) => [message.seq, message.body])).toEqual([
      [1, 'first'],
      [2, 'two'],
      [3, 'a reply'],
      [4, 'from the agent'],
      [5, 'three'],
    ]);
    // The person's follow-up reached the agent; its own note did not come back to it.
    expect(await worker.nextOf('message')).toMatchObject({
      taskId: task.id,
      attempt: 1,
      message: { id: value(6).id, body: 'a follow-up' },
    });
    const ownThread = await service.messagesAfter(task.id, 0, 10);
    expect(ownThread.map((message) => message.body)).toEqual(['work', 'a follow-up', 'its own note']);
  });

  it('are bounded per group: 600 waiting commit in two writes (500, then 100), in order', async () => {
    const { threads: service } = harness.services;
    const thread = await service.create('default', 'busy', 'ada');
    const writer = holdWriter();
    const posted = Array.from({ length: 600 }, (_, n) =>
      service.post(person, { threadId: thread.id, body: `message ${n}`, kind: 'message', replyTo: null }),
    );
    writer.open();
    const stored = await Promise.all(posted);
    expect(await writer.writes()).toBe(3);
    expect(stored.map((message) => message.seq)).toEqual(Array.from({ length: 600 }, (_, n) => n + 1));
    expect((await service.mustThread(thread.id, person)).messages).toBe(600);
  });

  it('made from inside a write are refused at once, and the posts after them go on', async () => {
    const { threads: service, database } = harness.services;
    const thread = await service.create('default', 'misused', 'ada');
    const message = { threadId: thread.id, body: 'hi', kind: 'message' as const, replyTo: null };
    await expect(database.writes.run(() => service.post(person, message))).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringContaining('would wait for itself'),
    });
    expect((await service.post(person, message)).seq).toBe(1);
  });

  it('are told to a thread’s watchers before they are acknowledged', async () => {
    const { threads: service } = harness.services;
    const thread = await service.create('default', 'watched', 'ada');
    const order: string[] = [];
    const publish = service.feed.publish.bind(service.feed);
    service.feed.publish = (key, message) => {
      order.push(`told ${message.body}`);
      publish(key, message);
    };
    const writer = holdWriter();
    const posted = ['one', 'two'].map((body) =>
      service
        .post(person, { threadId: thread.id, body, kind: 'message', replyTo: null })
        .then(() => order.push(`acknowledged ${body}`)),
    );
    writer.open();
    await Promise.all(posted);
    expect(order).toEqual(['told one', 'told two', 'acknowledged one', 'acknowledged two']);
  });
});
