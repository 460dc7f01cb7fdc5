import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../testing/harness.js';
import { connectWorker, event } from '../testing/workers.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
});
afterEach(() => harness.close());

async function runningAgent(approve: 'ask' | 'all' = 'all') {
  const worker = await connectWorker(harness, 'w1');
  const task = await harness
    .as('member')
    .tasks.submit({ agent: 'claude', prompt: 'work', sandbox: 'bwrap', approve });
  const { assignment } = await worker.nextOf('assign');
  await worker.caller.events.append({
    taskId: task.id,
    attempt: 1,
    events: [event(1, { kind: 'status', status: 'running' })],
  });
  const agent = harness.asPrincipal(await harness.services.tokens.verify(assignment.token as string));
  return { worker, task, agent };
}

describe('ask_human', () => {
  it('puts the question in the approvals queue, undecided even under --approve all, and answers with text', async () => {
    const { worker, task, agent } = await runningAgent('all');
    const asked = await agent.threads.ask({ question: 'Which database should I use?' });
    expect(asked.message).toMatchObject({ threadId: task.id, kind: 'request', author: { kind: 'agent' } });
    const [pending] = await harness.as('viewer').approvals.list({ status: ['pending'] });
    expect(pending).toMatchObject({
      id: asked.approvalId,
      question: true,
      tool: 'ask_human',
      action: 'Which database should I use?',
      risk: 'read',
      status: 'pending',
    });

    const answered = await harness
      .as('member')
      .approvals.answer({ id: asked.approvalId, text: 'Use libSQL.' });
    expect(answered).toMatchObject({
      status: 'approved',
      reason: 'Use libSQL.',
      decidedBy: 'test-member',
      question: true,
    });
    const { messages } = await agent.threads.get({ threadId: task.id, afterSeq: asked.message.seq });
    expect(messages).toEqual([
      expect.objectContaining({
        kind: 'answer',
        body: 'Use libSQL.',
        replyTo: asked.message.id,
        author: expect.objectContaining({ kind: 'person', name: 'test-member' }),
      }),
    ]);
    // The answer reaches the agent as its next user turn, like any follow-up.
    expect(await worker.nextOf('message')).toMatchObject({
      taskId: task.id,
      message: { body: 'Use libSQL.' },
    });
  });

  it('refuses text for a permission request and allow/deny for a question', async () => {
    const { agent, worker, task } = await runningAgent('ask');
    const permission = await worker.caller.approvals.request({
      taskId: task.id,
      attempt: 1,
      key: 'k1',
      tool: 'Bash',
      action: 'run `ls`',
      risk: 'execute',
    });
    expect(permission.approval.question).toBe(false);
    await expect(
      harness.as('member').approvals.answer({ id: permission.approval.id, text: 'sure' }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: `approval ${permission.approval.id} is not a question: approve or deny it`,
    });
    await expect(
      worker.caller.approvals.request({
        taskId: task.id,
        attempt: 1,
        key: 'ask_human:m-x',
        tool: 'ask_human',
        action: 'x',
        risk: 'read',
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const asked = await agent.threads.ask({ question: 'Ship it?' });
    await expect(
      harness.as('member').approvals.answer({ id: asked.approvalId, approve: true }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: `approval ${asked.approvalId} is a question: answer it with text`,
    });
    await harness.as('member').approvals.answer({ id: asked.approvalId, text: 'yes' });
    await expect(
      harness.as('member').approvals.answer({ id: asked.approvalId, text: 'again' }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(harness.as('member').threads.ask({ question: 'people cannot ask' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
