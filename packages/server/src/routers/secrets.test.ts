import type { Principal } from '@nexa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secrets as secretRows } from '../db/schema.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { connectWorker, event } from '../testing/workers.js';

const VALUE = 'sk-test-7f3a9c2e51';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
  await harness.as('admin').projects.create({ name: 'web' });
  await harness.as('admin').projects.create({ name: 'ops' });
});
afterEach(() => harness.close());

const memberOf = (...projects: string[]) =>
  harness.asPrincipal({ jti: `m-${projects.join()}`, role: 'member', subject: 'ann', projects } as Principal);
const viewerOf = (...projects: string[]) =>
  harness.asPrincipal({ jti: `v-${projects.join()}`, role: 'viewer', subject: 'val', projects } as Principal);

describe('secrets', () => {
  it('set, list (names, who, when: never a value), replace, remove; audited without the value', async () => {
    const member = memberOf('web');
    const info = await member.secrets.set({ name: 'API_KEY', value: VALUE });
    expect(info).toMatchObject({ project: 'web', name: 'API_KEY', setBy: 'ann', setAt: expect.any(String) });
    await member.secrets.set({ name: 'API_KEY', value: `${VALUE}-rotated` });
    await member.secrets.set({ name: 'NPM_TOKEN', value: 'npm_abcdef' });
    const listed = await member.secrets.list();
    expect(listed.map((secret) => secret.name)).toEqual(['API_KEY', 'NPM_TOKEN']);
    expect(JSON.stringify(listed)).not.toContain('sk-test');
    // At rest: sealed, not the value.
    const rows = await harness.services.database.db.select().from(secretRows);
    expect(JSON.stringify(rows)).not.toContain('sk-test');
    expect(await harness.services.secrets.values('web', ['API_KEY'])).toEqual({
      API_KEY: `${VALUE}-rotated`,
    });

    expect(await member.secrets.remove({ name: 'NPM_TOKEN' })).toEqual({ removed: true });
    expect(await member.secrets.remove({ name: 'NPM_TOKEN' })).toEqual({ removed: false });
    expect((await member.secrets.list()).map((secret) => secret.name)).toEqual(['API_KEY']);

    const audit = (await harness.services.audit.list({})).filter((entry) =>
      entry.action.startsWith('secret.'),
    );
    expect(audit.map((entry) => [entry.action, entry.target, entry.project, entry.actor])).toEqual([
      ['secret.removed', 'NPM_TOKEN', 'web', 'ann'],
      ['secret.set', 'NPM_TOKEN', 'web', 'ann'],
      ['secret.set', 'API_KEY', 'web', 'ann'],
      ['secret.set', 'API_KEY', 'web', 'ann'],
    ]);
    expect(JSON.stringify(audit)).not.toContain('sk-test');
    expect(JSON.stringify(audit)).not.toContain('npm_abcdef');
  });

  it('a viewer lists names only and may not set or remove', async () => {
    await memberOf('web').secrets.set({ name: 'API_KEY', value: VALUE });
    const viewer = viewerOf('web');
    expect(await viewer.secrets.list()).toEqual([expect.objectContaining({ name: 'API_KEY' })]);
    await expect(viewer.secrets.set({ name: 'API_KEY', value: 'overwritten' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(viewer.secrets.remove({ name: 'API_KEY' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await harness.services.secrets.values('web', ['API_KEY'])).toEqual({ API_KEY: VALUE });
  });

  it('another project’s secrets are not found, the same as a project that does not exist', async () => {
    await memberOf('ops').secrets.set({ name: 'DEPLOY_KEY', value: VALUE });
    const member = memberOf('web');
    for (const call of [
      () => member.secrets.list({ project: 'ops' }),
      () => member.secrets.set({ project: 'ops', name: 'DEPLOY_KEY', value: 'replaced!' }),
      () => member.secrets.remove({ project: 'ops', name: 'DEPLOY_KEY' }),
      () => member.secrets.list({ project: 'nosuch' }),
    ]) {
      await expect(call()).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringMatching(/^no project "/),
      });
    }
    expect(await harness.services.secrets.values('ops', ['DEPLOY_KEY'])).toEqual({ DEPLOY_KEY: VALUE });
    await expect(
      harness.as('admin').secrets.set({ project: 'nosuch', name: 'X_KEY', value: VALUE }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'no project "nosuch"',
    });
  });

  it('refuses an empty or too short value and a bad name, saying why', async () => {
    const member = memberOf('web');
    await expect(member.secrets.set({ name: 'API_KEY', value: '' })).rejects.toThrow(/cannot be empty/);
    await expect(member.secrets.set({ name: 'API_KEY', value: 'abc' })).rejects.toThrow(
      /at least 4 characters/,
    );
    await expect(member.secrets.set({ name: 'api-key', value: VALUE })).rejects.toThrow(/upper-case letters/);
    await expect(member.secrets.set({ name: 'API_KEY', value: 'abc\0def' })).rejects.toThrow(/NUL character/);
    expect(await member.secrets.list()).toEqual([]);
  });

  it('a task may name only secrets of its project, and none its own env also sets', async () => {
    const member = memberOf('web');
    await memberOf('ops').secrets.set({ name: 'DEPLOY_KEY', value: VALUE });
    await expect(member.tasks.submit({ command: ['true'], secrets: ['DEPLOY_KEY'] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'no secret "DEPLOY_KEY" in project web',
    });
    await member.secrets.set({ name: 'API_KEY', value: VALUE });
    await expect(
      member.tasks.submit({ command: ['true'], secrets: ['API_KEY'], env: { API_KEY: 'x' } }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'API_KEY is both a secret and an environment variable of the task',
    });
    expect((await member.tasks.submit({ command: ['true'], secrets: ['API_KEY'] })).status).toBe('queued');
  });
});

describe('a task’s secrets', () => {
  it('reach its worker in the assignment only; its events and its posts are stored without them', async () => {
    await harness.as('admin').secrets.set({ project: 'web', name: 'API_KEY', value: VALUE });
    const worker = await connectWorker(harness, 'w1');
    const plain = await harness.as('admin').tasks.submit({ project: 'web', command: ['true'] });
    expect((await worker.nextOf('assign')).assignment.secrets).toEqual({});
    const task = await harness
      .as('admin')
      .tasks.submit({ project: 'web', command: ['sh', '-c', 'echo "$API_KEY"'], secrets: ['API_KEY'] });
    const { assignment } = await worker.nextOf('assign');
    expect(assignment).toMatchObject({ taskId: task.id, secrets: { API_KEY: VALUE } });
    expect(JSON.stringify(assignment.spec)).not.toContain(VALUE);

    // A worker that did not redact (a bug, or not ours): the coordinator does.
    await worker.caller.events.append({
      taskId: task.id,
      attempt: 1,
      events: [
        event(1, { kind: 'status', status: 'running' }),
        event(2, { kind: 'output', stream: 'stdout', data: `key=${VALUE}\n` }),
        event(3, { kind: 'error', message: `failed with ${VALUE}${VALUE}` }),
      ],
    });
    const stored = await harness.as('admin').events.list({ taskId: task.id });
    expect(JSON.stringify(stored)).not.toContain(VALUE);
    expect(stored.map((e) => ('data' in e ? e.data : 'message' in e ? e.message : e.kind))).toEqual([
      'status',
      'key=[redacted:API_KEY]\n',
      'failed with [redacted:API_KEY][redacted:API_KEY]',
    ]);

    const agent = harness.asPrincipal(await harness.services.tokens.verify(assignment.token as string));
    const posted = await agent.threads.post({ threadId: task.id, body: `here it is: ${VALUE}` });
    expect(posted.body).toBe('here it is: [redacted:API_KEY]');
    // Its question to a person (the approval shows it too) and a key it sets: the same.
    const asked = await agent.threads.ask({ question: `may I use ${VALUE}?` });
    expect(asked.message.body).toBe('may I use [redacted:API_KEY]?');
    expect(JSON.stringify(await harness.as('admin').approvals.list({}))).not.toContain(VALUE);
    await agent.kv.set({ key: 'found', value: { keys: [VALUE], note: `was ${VALUE}` } });
    expect((await harness.as('admin').kv.get({ project: 'web', key: 'found' }))?.value).toEqual({
      keys: ['[redacted:API_KEY]'],
      note: 'was [redacted:API_KEY]',
    });
    const thread = await harness.as('admin').threads.get({ threadId: task.id });
    expect(JSON.stringify(thread)).not.toContain(VALUE);
    // A sub-task it starts: its prompt, command and env carry no value (it would name the secret instead).
    const child = await agent.tasks.submit({
      command: ['curl', '-H', `key: ${VALUE}`],
      env: { LEAK: VALUE },
    });
    expect(JSON.stringify(await harness.as('admin').tasks.get({ id: child.id }))).not.toContain(VALUE);

    // A task without secrets appends as it is (nothing to redact, nothing read).
    await worker.caller.events.append({
      taskId: plain.id,
      attempt: 1,
      events: [event(1, { kind: 'output', stream: 'stdout', data: VALUE })],
    });
    expect((await harness.as('admin').events.list({ taskId: plain.id }))[0]).toMatchObject({ data: VALUE });
  });

  it('after a coordinator restart (nothing in memory) its events are still redacted', async () => {
    await harness.as('admin').secrets.set({ project: 'web', name: 'API_KEY', value: VALUE });
    const worker = await connectWorker(harness, 'w1');
    const task = await harness
      .as('admin')
      .tasks.submit({ project: 'web', command: ['true'], secrets: ['API_KEY'] });
    await worker.nextOf('assign');
    // A restarted coordinator has none of the values remembered at assignment.
    const restarted = new (await import('../services/taskSecrets.js')).TaskSecrets(
      harness.services.secrets,
      harness.services.tasks,
    );
    expect(
      await restarted.redactEvents({ id: task.id, project: 'web', secrets: ['API_KEY'] }, [
        event(2, { kind: 'output', stream: 'stdout', data: `x${VALUE}y` }),
      ]),
    ).toMatchObject([{ data: 'x[redacted:API_KEY]y' }]);
    expect(await restarted.redactPost(task.id, VALUE)).toBe('[redacted:API_KEY]');
  });

  it('a secret the coordinator’s key cannot open is left out of the assignment, not a crash', async () => {
    await harness.as('admin').secrets.set({ project: 'web', name: 'API_KEY', value: VALUE });
    await harness.services.database.writes.run((writer) =>
      writer.db.update(secretRows).set({ sealed: Buffer.alloc(40, 1).toString('base64') }),
    );
    const worker = await connectWorker(harness, 'w1');
    await harness.as('admin').tasks.submit({ project: 'web', command: ['true'], secrets: ['API_KEY'] });
    expect((await worker.nextOf('assign')).assignment.secrets).toEqual({});
  });
});
