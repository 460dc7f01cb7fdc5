import type { Principal, WorkerMessage } from '@nexa/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, type Harness, registration } from '../testing/harness.js';
import { take } from '../testing/iterate.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
  for (const name of ['a', 'b']) await harness.as('admin').projects.create({ name });
});
afterEach(async () => {
  vi.useRealTimers();
  await harness.close();
});

/** A join token made by an admin, as the principal a worker presenting it is. */
async function joinToken(
  options: { uses?: number; labels?: Record<string, string>; projects?: string[] } = {},
) {
  const issued = await harness.as('admin').tokens.create({ role: 'worker', join: true, ...options });
  return { issued, principal: await harness.services.tokens.verify(issued.token) };
}

async function credentialOf(joinPrincipal: Principal, name: string) {
  const joined = await harness.asPrincipal(joinPrincipal).workers.join({ name });
  return { joined, principal: await harness.services.tokens.verify(joined.token) };
}

async function connectAs(principal: Principal, overrides: Parameters<typeof registration>[0] = {}) {
  const session = (await harness.asPrincipal(principal).workers.connect(registration(overrides)))[
    Symbol.asyncIterator
  ]();
  const [registered] = (await take(session, 1)) as [WorkerMessage];
  return { session, registered };
}

describe('workers joining with their own credential', () => {
  it('makes a credential bound to the worker, its labels and projects, once per use', async () => {
    const { principal } = await joinToken({ uses: 1, labels: { gpu: 'a100' }, projects: ['a'] });
    const { joined, principal: credential } = await credentialOf(principal, 'box-1');
    expect(joined).toMatchObject({ name: 'box-1', labels: { gpu: 'a100' }, projects: ['a'] });
    expect(credential).toMatchObject({
      role: 'worker',
      projects: ['a'],
      worker: { id: joined.workerId, name: 'box-1', labels: { gpu: 'a100' } },
    });
    expect(credential.join).toBeUndefined();
    await expect(harness.asPrincipal(principal).workers.join({ name: 'box-2' })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'the join token has been used up (1 of 1 workers joined)',
    });
    const { registered } = await connectAs(credential, { name: 'box-1', labels: { gpu: 'a100' } });
    expect(registered).toMatchObject({ type: 'registered', workerId: joined.workerId });
    const [listed] = await harness.as('admin').workers.list();
    expect(listed).toMatchObject({ name: 'box-1', projects: ['a'], status: 'online' });
  });

  it('lets only one of two workers racing on a one-use join token join', async () => {
    const { principal } = await joinToken({ uses: 1 });
    const results = await Promise.allSettled(
      ['racer-1', 'racer-2', 'racer-3'].map((name) => harness.asPrincipal(principal).workers.join({ name })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await harness.as('admin').tokens.list()).filter((t) => t.workerName !== null)).toHaveLength(1);
  });

  it('refuses a join token past its time', async () => {
    const { issued } = await joinToken();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3601_000);
    await expect(harness.services.tokens.verify(issued.token)).rejects.toMatchObject({
      code: 'unauthorized',
      message: 'the token has expired',
    });
  });

  it('lets a join token do nothing but join', async () => {
    const { principal } = await joinToken();
    const join = harness.asPrincipal(principal);
    await expect(join.tasks.list({ limit: 1 })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'a join token can only join a worker',
    });
    await expect(join.workers.connect(registration())).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // And a plain worker token cannot join.
    await expect(harness.as('worker').workers.join({ name: 'x' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('refuses a label, a name or a project its credential does not allow, and audits each refusal', async () => {
    const { principal } = await joinToken({ labels: { gpu: 'a100' }, projects: ['a'] });
    const { principal: credential } = await credentialOf(principal, 'box-1');
    await expect(connectAs(credential, { name: 'box-1', labels: { gpu: 'h100' } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: "label gpu=h100 is not allowed by this worker's credential (allowed: gpu=a100)",
    });
    await expect(connectAs(credential, { name: 'box-1', labels: { os: 'linux' } })).rejects.toMatchObject({
      message: "label os=linux is not allowed by this worker's credential (allowed: gpu=a100)",
    });
    await expect(connectAs(credential, { name: 'other' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: "this worker's credential is for the name box-1, not other",
    });
    await expect(connectAs(credential, { name: 'box-1', projects: ['b'] })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: "this worker's token does not allow project b",
    });
    const refusals = await harness.services.audit.list({ action: 'worker.refused' });
    expect(refusals.map((entry) => entry.target)).toEqual(['box-1', 'other', 'box-1', 'box-1']);
    expect((await harness.services.audit.list({ action: 'worker.joined' }))[0]?.target).toMatch(/^box-1 /);
  });

  it("refuses a name another worker's credential holds, to a plain worker token and to another join", async () => {
    const { principal } = await joinToken({ uses: 2 });
    await credentialOf(principal, 'box-1');
    const held = "worker name box-1 is held by another worker's credential";
    await expect(connectAs(await plainWorker(), { name: 'box-1' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: held,
    });
    await expect(harness.asPrincipal(principal).workers.join({ name: 'box-1' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: held,
    });
  });

  it('refuses to join under the name of a worker another token registered, which keeps its tasks', async () => {
    const { session } = await connectAs(await plainWorker(), { name: 'build-1' });
    const task = await harness.as('admin').tasks.submit({ command: ['sleep', '60'], project: 'b' });
    const [assign] = await take(session, 1);
    expect(assign).toMatchObject({ type: 'assign', assignment: { taskId: task.id } });
    const { principal } = await joinToken({ projects: ['a'] });
    await expect(harness.asPrincipal(principal).workers.join({ name: 'build-1' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'a worker named build-1 is registered already',
    });
    const [listed] = await harness.as('admin').workers.list();
    expect(listed).toMatchObject({ name: 'build-1', status: 'online' });
    expect((await harness.as('admin').tasks.get({ id: task.id })).status).toBe('assigned');
  });

  it('revokes a worker: its session ends, its credential is refused, its task runs again', async () => {
    const { principal } = await joinToken();
    const { joined, token } = await (async () => {
      const made = await credentialOf(principal, 'box-1');
      return { joined: made.joined, token: made.joined.token };
    })();
    const credential = await harness.services.tokens.verify(token);
    const task = await harness.as('admin').tasks.submit({ command: ['sleep', '60'] });
    const { session } = await connectAs(credential, { name: 'box-1' });
    const [assign] = await take(session, 1);
    expect(assign).toMatchObject({ type: 'assign', assignment: { taskId: task.id } });
    const revoked = await harness.as('admin').workers.revoke({ id: 'box-1' });
    expect(revoked).toMatchObject({ id: joined.workerId, status: 'offline' });
    await expect(session.next()).resolves.toMatchObject({ done: true });
    await expect(harness.services.tokens.verify(token)).rejects.toMatchObject({
      message: 'the token has been revoked',
    });
    expect((await harness.as('admin').tasks.get({ id: task.id })).status).toBe('queued');
    // Not even a plain worker token registers under its name now.
    await expect(connectAs(await plainWorker(), { name: 'box-1' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'worker box-1 was revoked',
    });
    const [audited] = await harness.services.audit.list({ action: 'worker.revoked' });
    expect(audited).toMatchObject({ actor: 'test-admin', target: `box-1 (${joined.workerId})` });
  });
});

describe('workers serving projects', () => {
  it('gives a worker only tasks of the projects it serves, and says why the others wait', async () => {
    const admin = harness.as('admin');
    const ofB = await admin.tasks.submit({ command: ['echo', 'b'], project: 'b' });
    const ofA = await admin.tasks.submit({ command: ['echo', 'a'], project: 'a' });
    const { session } = await connectAs(await plainWorker(), { projects: ['a'] });
    const [assign] = await take(session, 1);
    expect(assign).toMatchObject({ type: 'assign', assignment: { taskId: ofA.id } });
    await harness.services.scheduler.kick();
    const waiting = await admin.tasks.get({ id: ofB.id });
    expect(waiting.status).toBe('queued');
    expect(waiting.waitingFor).toBe('no connected worker serves project b');
    await session.return?.();
  });

  it('serves the projects of its token when it names none, and shows members only workers of theirs', async () => {
    const admin = harness.as('admin');
    const issued = await admin.tokens.create({ role: 'worker', projects: ['b'] });
    const worker = await harness.services.tokens.verify(issued.token);
    const { session } = await connectAs(worker, { name: 'b-box' });
    const everywhere = await connectAs(await plainWorker(), { name: 'any-box', instanceId: 'instance-2' });
    const memberOfA = await admin.tokens.create({ role: 'member', projects: ['a'] });
    const seen = await harness
      .asPrincipal(await harness.services.tokens.verify(memberOfA.token))
      .workers.list();
    expect(seen.map((w) => w.name)).toEqual(['any-box']);
    expect((await admin.workers.list()).map((w) => [w.name, w.projects])).toEqual([
      ['any-box', null],
      ['b-box', ['b']],
    ]);
    await session.return?.();
    await everywhere.session.return?.();
  });
});

describe('the live worker list', () => {
  it('never shows a member a worker that serves only other projects, even one that connects while it watches', async () => {
    const admin = harness.as('admin');
    const memberOfA = await admin.tokens.create({ role: 'member', projects: ['a'] });
    const member = await harness.services.tokens.verify(memberOfA.token);
    const feed = (await harness.asPrincipal(member).workers.watch())[Symbol.asyncIterator]();
    expect((await feed.next()).value).toEqual([]);
    const ofB = await admin.tokens.create({ role: 'worker', projects: ['b'] });
    const bBox = await connectAs(await harness.services.tokens.verify(ofB.token), { name: 'b-box' });
    const aBox = await connectAs(await plainWorker(), {
      name: 'a-box',
      instanceId: 'instance-2',
      projects: ['a'],
    });
    const next = (await feed.next()).value as { name: string }[];
    expect(next.map((w) => w.name)).toEqual(['a-box']);
    await feed.return?.();
    await bBox.session.return?.();
    await aBox.session.return?.();
  });
});

/** A plain worker token's principal (not a credential): every project. */
async function plainWorker(): Promise<Principal> {
  const issued = await harness.as('admin').tokens.create({ role: 'worker' });
  return harness.services.tokens.verify(issued.token);
}
