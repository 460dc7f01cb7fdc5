import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../testing/harness.js';
import { connectWorker } from '../testing/workers.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
  await harness.as('admin').projects.create({ name: 'web' });
  await harness.as('admin').projects.create({ name: 'api' });
});
afterEach(() => harness.close());

describe('presence.who', () => {
  it('lists workers with their status and the agents running now, by project', async () => {
    const worker = await connectWorker(harness, 'w1');
    const task = await harness
      .as('member')
      .tasks.submit({ project: 'web', agent: 'claude', prompt: 'x', sandbox: 'bwrap' });
    await harness
      .as('member')
      .tasks.submit({ project: 'api', agent: 'claude', prompt: 'y', sandbox: 'bwrap' });
    const { assignment } = await worker.nextOf('assign');
    await worker.nextOf('assign');
    const everyone = await harness.as('viewer').presence.who();
    expect(everyone.filter((e) => e.kind === 'worker')).toEqual([
      expect.objectContaining({ name: 'w1', detail: 'online', online: true, project: null }),
    ]);
    expect(everyone.filter((e) => e.kind === 'agent')).toHaveLength(2);
    const web = await harness.as('viewer').presence.who({ project: 'web' });
    expect(web.filter((e) => e.kind === 'agent')).toEqual([
      {
        kind: 'agent',
        name: task.id,
        detail: 'claude on w1',
        project: 'web',
        online: true,
        lastSeenAt: null,
      },
    ]);
    const agent = harness.asPrincipal(await harness.services.tokens.verify(assignment.token as string));
    const seen = await agent.presence.who();
    expect(seen.filter((e) => e.kind === 'agent').map((e) => e.project)).toEqual([assignment.spec.project]);
  });

  it('shows a member only the people and workers of its projects (admins and all-project workers are in every one)', async () => {
    await connectWorker(harness, 'web-box', { projects: ['web'] });
    await connectWorker(harness, 'api-box', { projects: ['api'] });
    await connectWorker(harness, 'any-box');
    const person = (subject: string, projects: string[] | null) =>
      ({ jti: `jti-${subject}`, role: projects ? 'member' : 'admin', subject, projects }) as const;
    harness.services.presence.called(person('wendy', ['web']));
    harness.services.presence.called(person('arno', ['api']));
    harness.services.presence.called(person('root', null));
    const names = (entries: { kind: string; name: string }[], kind: string) =>
      entries.filter((entry) => entry.kind === kind).map((entry) => entry.name);

    const webMember = await harness.asPrincipal(person('wendy', ['web'])).presence.who();
    expect(names(webMember, 'person')).toEqual(['root', 'wendy']);
    expect(names(webMember, 'worker')).toEqual(['any-box', 'web-box']);

    const admin = await harness.as('admin').presence.who();
    expect(names(admin, 'person')).toEqual(['arno', 'root', 'wendy']);
    expect(names(admin, 'worker')).toEqual(['any-box', 'api-box', 'web-box']);
  });
});
