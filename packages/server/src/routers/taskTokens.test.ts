import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../testing/harness.js';
import { connectWorker, event } from '../testing/workers.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
  for (const name of ['web', 'secret']) await harness.as('admin').projects.create({ name });
});
afterEach(() => harness.close());

/** A running agent task in `project` and a caller holding its attempt's token, as its `nexa mcp` would. */
async function runningTask(project = 'web') {
  const worker = await connectWorker(harness, `w-${project}`);
  const task = await harness
    .as('member')
    .tasks.submit({ project, agent: 'claude', prompt: 'work', sandbox: 'bwrap' });
  const { assignment } = await worker.nextOf('assign');
  expect(assignment.token).toEqual(expect.any(String));
  await worker.caller.events.append({
    taskId: task.id,
    attempt: 1,
    events: [event(1, { kind: 'status', status: 'running' })],
  });
  const token = assignment.token as string;
  const principal = await harness.services.tokens.verify(token);
  return { worker, task, token, agent: harness.asPrincipal(principal) };
}

describe('task tokens', () => {
  it('are minted per assignment, scoped to the attempt and its project', async () => {
    const { task, token } = await runningTask();
    expect(await harness.services.tokens.verify(token)).toMatchObject({
      role: 'task',
      subject: `task:${task.id}`,
      task: { id: task.id, attempt: 1, project: 'web' },
    });
  });

  it('reach their own project’s threads, keys and tasks, and nothing of another project', async () => {
    const { agent, task } = await runningTask('web');
    const elsewhere = await harness.as('member').threads.create({ project: 'secret', title: 'plans' });
    const otherTask = await harness.as('member').tasks.submit({ project: 'secret', command: ['true'] });
    expect((await agent.threads.get({ threadId: task.id })).thread.project).toBe('web');
    await expect(agent.threads.get({ threadId: elsewhere.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(agent.threads.post({ threadId: elsewhere.id, body: 'hi' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(agent.tasks.get({ id: otherTask.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(agent.threads.list({ project: 'secret' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'a task token works only in its own project (web)',
    });
    expect((await agent.threads.list()).items.map((t) => t.project)).toEqual(['web']);
    await harness.as('member').kv.set({ project: 'secret', key: 'password', value: 'hunter2' });
    await expect(agent.kv.get({ project: 'secret', key: 'password' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(agent.kv.list({ project: 'secret' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await agent.kv.get({ key: 'password' })).toBeNull(); // its own project has no such key
    expect(await agent.kv.set({ key: 'progress', value: 1 })).toMatchObject({
      project: 'web',
      updatedBy: `task:${task.id}`,
    });
    expect((await agent.tasks.list()).map((t) => t.id)).toEqual([task.id]);
  });

  it('cannot approve, make tokens or manage workers', async () => {
    const { agent } = await runningTask();
    await expect(agent.approvals.answer({ id: 'a-x', approve: true })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(agent.approvals.answer({ id: 'a-x', text: 'yes' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(agent.approvals.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(agent.tokens.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(agent.workers.drain({ id: 'w-web' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(agent.workers.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(agent.tasks.cancel({ id: 't-x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('stop working when the attempt ends', async () => {
    const { agent, task, token, worker } = await runningTask();
    await worker.caller.events.append({
      taskId: task.id,
      attempt: 1,
      events: [event(2, { kind: 'status', status: 'succeeded', exitCode: 0 })],
    });
    const ended = { code: 'UNAUTHORIZED', message: "the task's attempt 1 has ended" };
    await expect(agent.threads.list()).rejects.toMatchObject(ended);
    await expect(harness.services.tokens.verify(token)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('are checked against the database while no connected worker holds the attempt', async () => {
    const { agent, worker } = await runningTask();
    await worker.session.return?.(); // the worker's connection ends: its leases leave memory
    // The attempt still runs as far as the database knows (the worker may come back in time).
    expect((await agent.threads.list()).items.length).toBeGreaterThan(0);
    await harness.services.leases.check(Date.now() + 60_000); // it did not: the task is queued again
    await expect(agent.threads.list()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: "the task's attempt 1 has ended",
    });
  });

  it('stop working when the attempt is queued again (its worker was lost)', async () => {
    const { agent } = await runningTask();
    await harness.services.leases.check(Date.now() + 60_000);
    await expect(agent.threads.list()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: "the task's attempt 1 has ended",
    });
  });
});
