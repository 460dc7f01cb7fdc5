import { limits, type ThreadMessage } from '@nexa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../testing/harness.js';
import { take } from '../testing/iterate.js';
import { connectWorker, event } from '../testing/workers.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
  await harness.as('admin').projects.create({ name: 'web' });
});
afterEach(() => harness.close());

const member = () => harness.as('member');

describe('a task’s own thread', () => {
  it('is opened with the task: its id, the prompt’s first line as title, the prompt as first message', async () => {
    const task = await member().tasks.submit({
      agent: 'claude',
      prompt: '\nfix the login bug\nand add a test',
    });
    const { thread, messages } = await harness.as('viewer').threads.get({ threadId: task.id });
    expect(thread).toMatchObject({ id: task.id, taskId: task.id, title: 'fix the login bug', messages: 1 });
    expect(messages).toEqual([
      expect.objectContaining({
        seq: 1,
        kind: 'message',
        body: '\nfix the login bug\nand add a test',
        author: { kind: 'person', name: 'test-member', taskId: null, workerName: null },
      }),
    ]);
    const shell = await member().tasks.submit({ command: ['make', 'test'] });
    expect((await member().threads.get({ threadId: shell.id })).thread).toMatchObject({
      title: 'make test',
      messages: 0,
    });
  });

  it('lists tasks by project and by parent, keyset-paged', async () => {
    const web = [];
    for (let i = 0; i < 3; i++)
      web.push(await member().tasks.submit({ project: 'web', command: ['echo', `${i}`] }));
    const other = await member().tasks.submit({ command: ['true'] });
    expect(other.project).toBe('default');
    const first = await member().tasks.page({ project: 'web', limit: 2 });
    const second = await member().tasks.page({
      project: 'web',
      limit: 2,
      cursor: first.nextCursor ?? undefined,
    });
    expect([...first.items, ...second.items].map((t) => t.id)).toEqual(web.map((t) => t.id).reverse());
    expect(second.nextCursor).toBeNull();
    expect((await member().threads.list({ project: 'web' })).items.map((t) => t.id)).toEqual(
      web.map((t) => t.id).reverse(),
    );
    expect(await member().tasks.list({ parentId: other.id })).toEqual([]);
  });
});

describe('free threads', () => {
  it('holds a tree of replies, newest activity first in the listing', async () => {
    const older = await member().threads.create({ title: 'older' });
    const thread = await member().threads.create({ title: 'release plan' });
    expect(thread.id).toMatch(/^h-/);
    const question = await member().threads.post({ threadId: older.id, body: 'who ships?' });
    const reply = await harness
      .as('admin')
      .threads.post({ threadId: older.id, body: 'I do', kind: 'answer', replyTo: question.id });
    expect(reply).toMatchObject({
      seq: 2,
      replyTo: question.id,
      author: { kind: 'person', name: 'test-admin' },
    });
    const listed = await harness.as('viewer').threads.list();
    expect(listed.items.map((t) => t.id)).toEqual([older.id, thread.id]);
    expect(listed.items[0]).toMatchObject({ messages: 2 });
    expect(listed.items[1]).toMatchObject({ messages: 0, lastMessageAt: null });
    const paged = await member().threads.list({ limit: 1 });
    expect(paged.nextCursor).not.toBeNull();
    const rest = await member().threads.list({ limit: 1, cursor: paged.nextCursor ?? undefined });
    expect([...paged.items, ...rest.items].map((t) => t.id)).toEqual([older.id, thread.id]);
  });

  it('refuses a reply to another thread’s message, a body over the limit, and a viewer posting', async () => {
    const a = await member().threads.create({ title: 'a' });
    const b = await member().threads.create({ title: 'b' });
    const inA = await member().threads.post({ threadId: a.id, body: 'hello' });
    await expect(
      member().threads.post({ threadId: b.id, body: 'hi', replyTo: inA.id }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: `message ${inA.id} is not in thread ${b.id}`,
    });
    await expect(
      member().threads.post({ threadId: a.id, body: 'x'.repeat(limits.conversation.messageChars + 1) }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/longer than the limit of 65536/),
    });
    await expect(harness.as('viewer').threads.post({ threadId: a.id, body: 'hi' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(member().threads.post({ threadId: 'h-missing', body: 'hi' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('watches from the last seen message, then live, with no gap and no duplicate', async () => {
    const thread = await member().threads.create({ title: 'watch me' });
    for (const body of ['one', 'two', 'three']) await member().threads.post({ threadId: thread.id, body });
    const watch = (await harness.as('viewer').threads.watch({ threadId: thread.id, lastEventId: '1' }))[
      Symbol.asyncIterator
    ]();
    const caughtUp = await take(watch, 2);
    const posting = (async () => {
      for (const body of ['four', 'five']) await member().threads.post({ threadId: thread.id, body });
    })();
    const live = await take(watch, 2);
    await posting;
    await watch.return?.();
    const seen = [...caughtUp, ...live].map(
      (envelope) => (envelope as unknown as [string, ThreadMessage])[1],
    );
    expect(seen.map((m) => [m.seq, m.body])).toEqual([
      [2, 'two'],
      [3, 'three'],
      [4, 'four'],
      [5, 'five'],
    ]);
  });
});

describe('follow-ups to a running agent', () => {
  it('sends a person’s message in a running task’s thread to its worker, not the agent’s own', async () => {
    const worker = await connectWorker(harness, 'w1');
    const task = await member().tasks.submit({ agent: 'claude', prompt: 'refactor', sandbox: 'bwrap' });
    const { assignment } = await worker.nextOf('assign');
    await worker.caller.events.append({
      taskId: task.id,
      attempt: 1,
      events: [event(1, { kind: 'status', status: 'running' })],
    });
    const agent = harness.asPrincipal(await harness.services.tokens.verify(assignment.token ?? ''));
    const own = await agent.threads.post({ threadId: task.id, body: 'working on it' });
    expect(own.author).toEqual({ kind: 'agent', name: 'claude', taskId: task.id, workerName: 'w1' });
    const followUp = await member().threads.post({
      threadId: task.id,
      body: 'also rename the file',
      replyTo: own.id,
    });
    // The agent's own message was not sent back to it: the first message the worker gets is the person's.
    expect(await worker.nextOf('message')).toEqual({
      type: 'message',
      taskId: task.id,
      attempt: 1,
      message: followUp,
    });
  });
});
