import type { Principal, Role, TaskFeedMessage } from '@nexa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../testing/harness.js';
import { take } from '../testing/iterate.js';
import { connectWorker, event } from '../testing/workers.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
});
afterEach(() => harness.close());

const person = (role: Role, projects: string[] | null, subject = `${role}-${projects?.join('+')}`) =>
  harness.asPrincipal({ jti: subject, role, subject, projects } satisfies Principal);

describe('projects', () => {
  it('are made by admins; members and viewers list only theirs', async () => {
    const admin = harness.as('admin');
    expect(await admin.projects.create({ name: 'web' })).toMatchObject({
      name: 'web',
      createdBy: 'test-admin',
    });
    await admin.projects.create({ name: 'api' });
    expect((await admin.projects.list()).map((p) => p.name)).toEqual(['api', 'default', 'web']);
    expect((await person('member', ['web']).projects.list()).map((p) => p.name)).toEqual(['web']);
    expect((await person('viewer', ['api', 'web']).projects.list()).map((p) => p.name)).toEqual([
      'api',
      'web',
    ]);
    await expect(admin.projects.create({ name: 'web' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'project "web" exists already',
    });
    await expect(admin.projects.create({ name: 'Web App' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(person('member', ['web']).projects.create({ name: 'mine' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('a write into a project that does not exist is refused, admins too, saying how to make it', async () => {
    await expect(
      harness.as('admin').tasks.submit({ project: 'nowhere', command: ['true'] }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'no project "nowhere"',
      cause: { hint: 'an admin creates it: nexa projects create nowhere' },
    });
    await expect(
      harness.as('admin').kv.set({ project: 'nowhere', key: 'k', value: 1 }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('a member names one of its projects or none: another is not found, exactly as one that does not exist', async () => {
    const admin = harness.as('admin');
    for (const name of ['web', 'api']) await admin.projects.create({ name });
    const webMember = person('member', ['web']);
    const task = await webMember.tasks.submit({ command: ['true'] }); // its only project
    expect(task.project).toBe('web');
    const inApi = webMember.threads.list({ project: 'api' });
    const inNothing = webMember.threads.list({ project: 'ghost' });
    await expect(inApi).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no project "api"' });
    await expect(inNothing).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no project "ghost"' });
    const both = person('member', ['web', 'api']);
    await expect(both.kv.list()).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'name a project with --project: this token is in web, api',
    });
    expect((await person('member', ['default', 'web']).tasks.submit({ command: ['true'] })).project).toBe(
      'default',
    );
  });

  it('removing one is refused while it has unfinished tasks; then its keys go and its finished tasks stay', async () => {
    const admin = harness.as('admin');
    await admin.projects.create({ name: 'old' });
    await admin.kv.set({ project: 'old', key: 'k', value: 1 });
    const task = await admin.tasks.submit({ project: 'old', command: ['true'] });
    await expect(admin.projects.remove({ name: 'old' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'project "old" has 1 unfinished tasks',
    });
    await admin.tasks.cancel({ id: task.id });
    expect(await admin.projects.remove({ name: 'old' })).toEqual({ removed: true });
    expect((await admin.projects.list()).map((p) => p.name)).toEqual(['default']);
    expect((await admin.tasks.get({ id: task.id })).status).toBe('cancelled');
    await expect(admin.kv.get({ project: 'old', key: 'k' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await admin.projects.create({ name: 'old' });
    expect(await admin.kv.get({ project: 'old', key: 'k' })).toBeNull(); // its keys went with it
    await expect(admin.projects.remove({ name: 'default' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'the default project cannot be removed',
    });
    const audited = await harness.services.audit.list({ action: 'project.removed' });
    expect(audited).toMatchObject([{ target: 'old', actor: 'test-admin' }]);
  });

  it('removing one is refused while a live token names it, so a later project of that name has none of its members', async () => {
    const admin = harness.as('admin');
    await admin.projects.create({ name: 'gone' });
    const member = await admin.tokens.create({ role: 'member', projects: ['gone'] });
    await expect(admin.projects.remove({ name: 'gone' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'project "gone" is still named by 1 live tokens',
    });
    await admin.tokens.revoke({ id: member.jti });
    expect(await admin.projects.remove({ name: 'gone' })).toEqual({ removed: true });
  });
});

/** The next snapshot or task of a tasks.watch (tracked: [id, data, marker]), past running tasks' activity. */
async function nextChange(feed: AsyncIterator<unknown>): Promise<TaskFeedMessage> {
  for (;;) {
    const [value] = await take(feed, 1);
    const message = (Array.isArray(value) ? value[1] : value) as TaskFeedMessage;
    if (message.type !== 'activity') return message;
  }
}

describe('live feeds opened before another project’s task', () => {
  it('tasks.watch and approvals.watch of a member of web never carry anything of api', async () => {
    const admin = harness.as('admin');
    for (const name of ['web', 'api']) await admin.projects.create({ name });
    const member = person('member', ['web']);
    // A subscription's body runs on its first read: ask for the first approval now, so it is watching.
    const approvalsFeed = (await member.approvals.watch())[Symbol.asyncIterator]();
    const firstApproval = approvalsFeed.next();
    const tasksFeed = (await member.tasks.watch())[Symbol.asyncIterator]();
    expect(await nextChange(tasksFeed)).toMatchObject({ type: 'snapshot', tasks: [] });

    const worker = await connectWorker(harness, 'w1');
    const theirs = await admin.tasks.submit({
      project: 'api',
      agent: 'claude',
      prompt: 'x',
      sandbox: 'bwrap',
    });
    await worker.nextOf('assign');
    await worker.caller.events.append({
      taskId: theirs.id,
      attempt: 1,
      events: [event(1, { kind: 'status', status: 'running' })],
    });
    await worker.caller.approvals.request({
      taskId: theirs.id,
      attempt: 1,
      key: 'k',
      tool: 'Bash',
      action: 'run make',
      risk: 'execute',
    });
    // Then one of web: the first thing each feed delivers must be it.
    const ours = await admin.tasks.submit({ project: 'web', agent: 'claude', prompt: 'y', sandbox: 'bwrap' });
    await worker.nextOf('assign');
    await worker.caller.events.append({
      taskId: ours.id,
      attempt: 1,
      events: [event(1, { kind: 'status', status: 'running' })],
    });
    const asked = await worker.caller.approvals.request({
      taskId: ours.id,
      attempt: 1,
      key: 'k',
      tool: 'Bash',
      action: 'run make',
      risk: 'execute',
    });

    expect(await nextChange(tasksFeed)).toMatchObject({
      type: 'task',
      task: { id: ours.id, project: 'web' },
    });
    expect((await firstApproval).value).toMatchObject({ id: asked.approval.id, taskId: ours.id });
    await tasksFeed.return?.();
    await approvalsFeed.return?.();
  });
});
