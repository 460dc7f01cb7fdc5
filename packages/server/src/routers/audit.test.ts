import { limits, type Principal, type Role } from '@nexa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContextInner } from '../context.js';
import { createHarness, type Harness, registration } from '../testing/harness.js';
import { take } from '../testing/iterate.js';
import { createCallerFactory } from '../trpc.js';
import { appRouter } from './index.js';

const createCaller = createCallerFactory(appRouter);
const FROM = '203.0.113.7';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
});
afterEach(() => harness.close());

function person(subject: string, role: Role, projects: string[] | null): Principal {
  return { jti: `jti-${subject}`, role, subject, projects };
}

/** A caller as this principal, from an address (what the audit log's "from" says). */
function as(principal: Principal, remoteAddress: string | null = FROM) {
  return createCaller(createContextInner({ services: harness.services, principal, remoteAddress }));
}

const admin = () => as(person('root', 'admin', null));

describe('rate limits on submissions', () => {
  it(`refuses submission ${limits.rates.submitsPerMinute + 1} of a token in a minute, not another token's; audited once`, async () => {
    const alice = as(person('alice', 'member', ['default']));
    for (let i = 0; i < limits.rates.submitsPerMinute; i++) await alice.tasks.submit({ command: ['true'] });
    const refused = {
      code: 'TOO_MANY_REQUESTS',
      cause: {
        code: 'rate_limited',
        message: `this token has submitted ${limits.rates.submitsPerMinute} tasks in the last minute (the limit)`,
        hint: expect.stringMatching(/^wait ([1-9]|[1-5][0-9]|60) s and retry$/),
      },
    };
    await expect(alice.tasks.submit({ command: ['true'] })).rejects.toMatchObject(refused);
    await expect(alice.tasks.submit({ command: ['true'] })).rejects.toMatchObject(refused);
    // Bob is another principal: his budget is his own.
    await expect(
      as(person('bob', 'member', ['default'])).tasks.submit({ command: ['true'] }),
    ).resolves.toMatchObject({ status: 'queued' });
    const limited = await admin().audit.list({ action: 'rate.limited' });
    expect(limited).toEqual([
      expect.objectContaining({ actor: 'alice', role: 'member', target: 'tasks.submit', from: FROM }),
    ]);
  });
});

describe('the audit log', () => {
  it('records cancellations, approval decisions and policy changes: who, what, where from', async () => {
    const member = as(person('alice', 'member', ['default']));
    const cancelled = await member.tasks.submit({ command: ['sleep', '60'] });
    await member.tasks.cancel({ id: cancelled.id });

    const worker = harness.connection('worker');
    const session = (
      await worker.workers.connect(registration({ agents: ['shell', 'claude'], sandboxes: ['process'] }))
    )[Symbol.asyncIterator]();
    await take(session, 1); // registered
    const asking = await member.tasks.submit({ agent: 'claude', prompt: 'fix it', sandbox: 'process' });
    await take(session, 1); // assigned
    const ask = (key: string) =>
      worker.approvals.request({
        taskId: asking.id,
        attempt: 1,
        key,
        tool: 'Bash',
        action: 'run `rm -rf build`',
        command: 'rm -rf build',
        risk: 'execute',
      });
    const denied = (await ask('k1')).approval;
    await member.approvals.answer({ id: denied.id, approve: false, reason: 'not today' });
    const approved = (await ask('k2')).approval;
    await member.approvals.answer({ id: approved.id, approve: true, always: true });

    await admin().policy.set({ rules: [{ tool: 'Bash', decision: 'deny' }] });

    const entries = await admin().audit.list();
    expect(entries.map((e) => e.action)).toEqual([
      'policy.set',
      'approval.decided',
      'approval.decided',
      'task.cancelled',
    ]);
    expect(entries[3]).toMatchObject({
      actor: 'alice',
      role: 'member',
      target: cancelled.id,
      project: 'default',
      from: FROM,
    });
    expect(entries[2]).toMatchObject({
      actor: 'alice',
      target: denied.id,
      project: 'default',
      from: FROM,
      detail: `task ${asking.id}: denied: not today`,
    });
    expect(entries[1]).toMatchObject({ detail: `task ${asking.id}: approved, always for this task` });
    expect(entries[0]).toMatchObject({ actor: 'root', role: 'admin', from: FROM, detail: '1 rule(s)' });
    // Filters: by action, and newest first with paging back.
    expect(await admin().audit.list({ action: 'task.cancelled' })).toHaveLength(1);
    const firstPage = await admin().audit.list({ limit: 2 });
    const nextPage = await admin().audit.list({ limit: 2, beforeId: firstPage[1]?.id });
    expect([...firstPage, ...nextPage].map((e) => e.id)).toEqual(entries.map((e) => e.id));
  });

  it('shows a member only the entries of its projects; another project is not found; a viewer may not read it', async () => {
    await admin().projects.create({ name: 'blue' });
    const ours = await admin().tasks.submit({ command: ['sleep', '60'], project: 'default' });
    const theirs = await admin().tasks.submit({ command: ['sleep', '60'], project: 'blue' });
    await admin().tasks.cancel({ id: ours.id });
    await admin().tasks.cancel({ id: theirs.id });

    const member = as(person('alice', 'member', ['default']));
    const seen = await member.audit.list();
    // Not blue's cancellation, nor the coordinator-wide project creation's... of blue.
    expect(seen.map((e) => e.target)).toEqual([ours.id]);
    await expect(member.audit.list({ project: 'blue' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'no project "blue"',
    });
    expect((await admin().audit.list({ project: 'blue' })).map((e) => e.target)).toEqual([theirs.id, 'blue']);
    await expect(as(person('vic', 'viewer', ['default'])).audit.list()).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
