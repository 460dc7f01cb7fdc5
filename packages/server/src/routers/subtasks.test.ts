import { limits, type Task, TaskSpec } from '@nexa/core';
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

type Worker = Awaited<ReturnType<typeof connectWorker>>;

/** The next assignment a worker gets, and a caller with its task token. */
async function assigned(worker: Worker) {
  const { assignment } = await worker.nextOf('assign');
  const principal = await harness.services.tokens.verify(assignment.token as string);
  return { assignment, agent: harness.asPrincipal(principal) };
}

const spec = { agent: 'claude' as const, prompt: 'work', sandbox: 'bwrap' as const };

describe('sub-tasks', () => {
  it('start in the parent’s project, linked to it, listed among its children', async () => {
    const worker = await connectWorker(harness, 'w1');
    const parent = await harness.as('member').tasks.submit({ ...spec, project: 'web' });
    const { agent } = await assigned(worker);
    const child = await agent.tasks.submit({ command: ['make', 'lint'], project: 'ignored-for-children' });
    expect(child).toMatchObject({ parentId: parent.id, project: 'web' });
    const detail = await harness.as('viewer').tasks.get({ id: parent.id });
    expect(detail.children.map((t) => t.id)).toEqual([child.id]);
    expect((await agent.tasks.list({ parentId: parent.id })).map((t) => t.id)).toEqual([child.id]);
    // The child's own thread has no first message (a command), and its creator is the parent's token.
    expect((await agent.threads.get({ threadId: child.id })).thread.createdBy).toBe(`task:${parent.id}`);
  });

  it('refuses a task more children than the limit, saying so', async () => {
    const worker = await connectWorker(harness, 'w1', { agents: ['claude'] });
    const parent = await harness.as('member').tasks.submit(spec);
    const { agent } = await assigned(worker);
    for (let i = 0; i < limits.subtasks.childrenPerTask; i++) await agent.tasks.submit({ command: ['true'] });
    await expect(agent.tasks.submit({ command: ['true'] })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: `task ${parent.id} has started 10 tasks, the limit for one task`,
    });
  });

  it('refuses a task at the depth limit starting any', async () => {
    const { tasks } = harness.services;
    const person = { jti: 'p', role: 'member' as const, subject: 'alice', projects: null };
    let row = await tasks.mustRow((await tasks.submit(TaskSpec.parse(spec), person)).id);
    for (let depth = 1; depth <= limits.subtasks.depth; depth++) {
      row = await tasks.mustRow(
        (await tasks.submit(TaskSpec.parse(spec), person, { author: author(), parent: row })).id,
      );
    }
    const deepest = row.id;
    const worker = await connectWorker(harness, 'w1', { capacity: 8 });
    let agent: Awaited<ReturnType<typeof assigned>>['agent'] | undefined;
    for (let i = 0; i <= limits.subtasks.depth; i++) {
      const next = await assigned(worker);
      if (next.assignment.taskId === deepest) agent = next.agent;
    }
    await expect(agent?.tasks.submit({ command: ['true'] })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: `task ${deepest} is at depth 3, the limit: it may not start tasks`,
    });
  });

  it('may not give a child a plain process, a network, another repository or approvals that it lacks', async () => {
    const worker = await connectWorker(harness, 'w1');
    await harness.as('member').tasks.submit(spec);
    const { agent } = await assigned(worker);
    await expect(agent.tasks.submit({ command: ['sh'], sandbox: 'process' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(agent.tasks.submit({ command: ['sh'], network: true })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(agent.tasks.submit({ ...spec, approve: 'all' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('cancelling a parent cancels every active descendant, on whichever worker it runs', async () => {
    const first = await connectWorker(harness, 'w1', { capacity: 1 });
    const parent = await harness.as('member').tasks.submit(spec);
    const { agent } = await assigned(first);
    const second = await connectWorker(harness, 'w2', { capacity: 1 });
    const child = await agent.tasks.submit({ ...spec, prompt: 'child' });
    const { agent: childAgent } = await assigned(second);
    const grandchild = await childAgent.tasks.submit({ command: ['true'], sandbox: 'bwrap' }); // no free slot: queued
    await harness.as('member').tasks.cancel({ id: parent.id });
    expect(await first.nextOf('stop')).toMatchObject({ taskId: parent.id, reason: 'cancelled' });
    expect(await second.nextOf('stop')).toMatchObject({ taskId: child.id, reason: 'cancelled' });
    expect(await harness.as('viewer').tasks.get({ id: grandchild.id })).toMatchObject({
      status: 'cancelled',
    });
  });

  it('gives a child’s result and tells a waiting parent when it has finished', async () => {
    const worker = await connectWorker(harness, 'w1');
    await harness.as('member').tasks.submit(spec);
    const { agent } = await assigned(worker);
    const child = await agent.tasks.submit({ ...spec, prompt: 'answer 42' });
    await assigned(worker);
    const finished = (await agent.tasks.finished({ id: child.id }))[Symbol.asyncIterator]();
    const waiting = take(finished, 1);
    await worker.caller.events.append({
      taskId: child.id,
      attempt: 1,
      events: [
        event(1, { kind: 'status', status: 'running' }),
        event(2, { kind: 'agent_message', text: 'the answer is 42', role: 'assistant' }),
        event(3, { kind: 'status', status: 'succeeded', exitCode: 0 }),
      ],
    });
    const [done] = (await waiting) as Task[];
    expect(done).toMatchObject({ id: child.id, status: 'succeeded' });
    expect(await agent.tasks.result({ id: child.id })).toMatchObject({
      task: { id: child.id, status: 'succeeded' },
      lastMessage: 'the answer is 42',
    });
    // Already finished: at once.
    expect(
      await take((await agent.tasks.finished({ id: child.id }))[Symbol.asyncIterator](), 1),
    ).toHaveLength(1);
  });
});

const author = () => ({ kind: 'person' as const, name: 'alice', taskId: null, workerName: null });
