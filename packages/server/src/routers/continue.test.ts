import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../testing/harness.js';
import { connectWorker, event } from '../testing/workers.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
});
afterEach(() => harness.close());

const member = () => harness.as('member');

describe('tasks.continue', () => {
  it('resumes a finished agent task’s session on the worker that ran it, with the new prompt', async () => {
    const first = await connectWorker(harness, 'w1', { capacity: 1 });
    const task = await member().tasks.submit({
      agent: 'claude',
      prompt: 'write the parser',
      sandbox: 'bwrap',
    });
    await first.nextOf('assign');
    await first.caller.events.append({
      taskId: task.id,
      attempt: 1,
      events: [
        event(1, { kind: 'status', status: 'running' }),
        event(2, { kind: 'session', sessionId: 'session-123' }),
        event(3, { kind: 'status', status: 'succeeded', exitCode: 0 }),
      ],
    });
    const second = await connectWorker(harness, 'w2', { capacity: 4 });
    const continued = await member().tasks.continue({ id: task.id, prompt: 'now add tests' });
    expect(continued).toMatchObject({ attempt: 2 });
    const { assignment } = await first.nextOf('assign');
    expect(assignment).toMatchObject({
      taskId: task.id,
      attempt: 2,
      firstSeq: 5, // after the log and its "continued" status event
      resume: { sessionId: 'session-123', prompt: 'now add tests' },
    });
    expect(await harness.as('viewer').tasks.get({ id: task.id })).toMatchObject({
      status: 'assigned',
      workerId: first.workerId,
    });
    expect(second.workerId).not.toBe(first.workerId);
    const { messages } = await harness.as('viewer').threads.get({ threadId: task.id });
    expect(messages.map((m) => m.body)).toEqual(['write the parser', 'now add tests']);
  });

  it('says which tasks can be continued and why this one cannot', async () => {
    const shell = await member().tasks.submit({ command: ['true'] });
    await expect(member().tasks.continue({ id: shell.id, prompt: 'more' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'claude, codex and acp tasks can be continued; shell tasks cannot',
    });
    const queued = await member().tasks.submit({ agent: 'claude', prompt: 'x' });
    await expect(member().tasks.continue({ id: queued.id, prompt: 'more' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `task ${queued.id} is queued; only a finished task can be continued`,
    });
    await member().tasks.cancel({ id: queued.id });
    await expect(member().tasks.continue({ id: queued.id, prompt: 'more' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `task ${queued.id} recorded no agent session to resume`,
    });
    await expect(
      harness.as('viewer').tasks.continue({ id: queued.id, prompt: 'more' }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
