import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Task } from '@nexa/core';
import { createNexaClient, toNexaError } from '@nexa/core/client';
import type { AppRouter } from '@nexa/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, nexa, startWorker, workerToken } from './harness.js';
import { servedHome } from './servedHome.js';

/**
 * Two teams share one coordinator: a member of alpha reaches nothing of
 * bravo, through the CLI (HTTP) and over a WebSocket, and its live feeds,
 * opened before bravo's task existed, never carry it. Another project's ids
 * are `not_found`, the answer for ids that do not exist.
 */

const home = servedHome();
let url: string;
let worker: Daemon;
const token: Record<'alpha' | 'bravo', string> = { alpha: '', bravo: '' };

/** `nexa ARGS` as the member of a project (the token in the environment, as the README says). */
const as = (project: 'alpha' | 'bravo', args: string[]) => nexa(home, args, { NEXA_TOKEN: token[project] });

beforeAll(async () => {
  const saved = JSON.parse(await readFile(join(home.dir, 'config', 'nexa', 'credentials.json'), 'utf8'));
  url = Object.keys(saved.servers)[0] as string;
  home.env.NEXA_SERVER = url;
  for (const project of ['alpha', 'bravo'] as const) {
    expect((await nexa(home, ['projects', 'create', project])).exitCode).toBe(0);
    const made = await nexa(home, ['token', 'create', '--role', 'member', '--project', project, '--json']);
    expect(made.exitCode, made.stderr).toBe(0);
    token[project] = (JSON.parse(made.stdout) as { token: string }).token;
  }
  worker = await startWorker(home, url, await workerToken(home, url));
}, 60_000);
afterAll(async () => {
  await worker?.stop();
});

/** One WebSocket client as a member, with its subscriptions' deliveries collected. */
function memberSocket(project: 'alpha' | 'bravo') {
  return createNexaClient<AppRouter>({ server: url, token: token[project], transport: 'websocket' });
}

/** A subscription's deliveries, and a promise of the first that matches. */
function collect<T>() {
  const seen: T[] = [];
  const waiting: { match: (value: T) => boolean; resolve: (value: T) => void }[] = [];
  let started!: () => void;
  const ready = new Promise<void>((resolve) => {
    started = resolve;
  });
  return {
    seen,
    ready,
    handlers: {
      onStarted: () => started(),
      onData: (delivered: unknown) => {
        // A tracked message comes as {id, data}.
        const value = (
          delivered !== null && typeof delivered === 'object' && 'id' in delivered && 'data' in delivered
            ? delivered.data
            : delivered
        ) as T;
        seen.push(value);
        for (const waiter of waiting.filter((w) => w.match(value))) waiter.resolve(value);
      },
      onError: (error: unknown) => {
        throw error;
      },
    },
    first: (match: (value: T) => boolean) =>
      new Promise<T>((resolve) => {
        const found = seen.find(match);
        if (found) resolve(found);
        else waiting.push({ match, resolve });
      }),
  };
}

describe('a member of alpha and bravo’s work', () => {
  // About twenty CLI processes: seconds each on a loaded two-core machine.
  it('lists, reads, streams, cancels, messages and reads keys of nothing of bravo; its feeds never carry bravo', {
    timeout: 240_000,
  }, async () => {
    // alpha's member watches first: tasks, approvals and alpha's keys.
    const alpha = memberSocket('alpha');
    const tasks = collect<{ type: string; tasks?: Task[]; task?: Task }>();
    const approvals = collect<{ taskId: string }>();
    const keys = collect<{ type: string; entry?: { key: string } }>();
    const subscriptions = [
      alpha.client.tasks.watch.subscribe({}, tasks.handlers as never),
      alpha.client.approvals.watch.subscribe(undefined, approvals.handlers as never),
      alpha.client.kv.watch.subscribe({ project: 'alpha' }, keys.handlers as never),
    ];
    await Promise.all([tasks.ready, approvals.ready, keys.ready]);
    await tasks.first((m) => m.type === 'snapshot');

    // bravo's member starts a task that prints, a thread, a key.
    const started = await as('bravo', [
      'run',
      '--detach',
      '--json',
      '--sandbox',
      'process',
      '--',
      'sh',
      '-c',
      'echo bravo-private-output; sleep 60',
    ]);
    expect(started.exitCode, started.stderr).toBe(0);
    const theirs = (JSON.parse(started.stdout) as Task).id;
    const made = JSON.parse((await as('bravo', ['tasks', 'show', theirs, '--json'])).stdout) as Task;
    expect(made.project).toBe('bravo'); // its only project: no --project needed
    expect((await as('bravo', ['kv', 'set', 'deploy/key', '"bravo-value"'])).exitCode).toBe(0);
    const thread = (await as('bravo', ['threads', 'create', 'bravo plans'])).stdout.trim();

    // Over HTTP (the CLI): not found, in the words of an id that does not exist.
    const listed = await as('alpha', ['tasks', 'list', '--json']);
    expect(listed.stdout).not.toContain(theirs);
    const refusals: Record<string, string> = {};
    for (const [args, words] of [
      [['tasks', 'show', theirs], `no task ${theirs}`],
      [['logs', theirs], `no task ${theirs}`],
      [['cancel', theirs], `no task ${theirs}`],
      [['say', theirs, 'let me in'], `no thread ${theirs}`],
      [['thread', 'show', thread], `no thread ${thread}`],
      [['kv', 'get', 'deploy/key', '--project', 'bravo'], 'no project "bravo"'],
    ] as const) {
      const refused = await as('alpha', [...args]);
      expect(refused.exitCode, `${args.join(' ')}: ${refused.stdout}`).toBe(125);
      expect(refused.stderr, args.join(' ')).toContain(words);
      expect(refused.stdout + refused.stderr).not.toContain('bravo-');
      refusals[args[0]] = refused.stderr;
    }
    // Word for word what an id that does not exist gets.
    const ghost = await as('alpha', ['tasks', 'show', 't-doesnotexist']);
    expect(ghost.stderr.replace('t-doesnotexist', 'ID')).toBe(refusals.tasks?.replace(theirs, 'ID'));

    // Over the WebSocket: the same, and a tail of its log is refused before any byte of it.
    const notFound = async (call: () => Promise<unknown>) => {
      const error = await call().then(
        () => null,
        (e: unknown) => toNexaError(e, url),
      );
      return error && { code: (error as { code: string }).code, message: (error as Error).message };
    };
    expect(await notFound(() => alpha.client.tasks.get.query({ id: theirs }))).toEqual({
      code: 'not_found',
      message: `no task ${theirs}`,
    });
    expect(await notFound(() => alpha.client.events.list.query({ taskId: theirs }))).toMatchObject({
      code: 'not_found',
    });
    const tail = await new Promise<{ data: unknown[]; error: unknown }>((resolve) => {
      const data: unknown[] = [];
      alpha.client.events.tail.subscribe(
        { taskId: theirs },
        {
          onData: (value) => data.push(value),
          onError: (error) => resolve({ data, error: toNexaError(error, url) }),
          onComplete: () => resolve({ data, error: null }),
        },
      );
    });
    expect(tail.data).toEqual([]);
    expect(tail.error).toMatchObject({ code: 'not_found', message: `no task ${theirs}` });
    for (const call of [
      () => alpha.client.tasks.cancel.mutate({ id: theirs }),
      () => alpha.client.tasks.retry.mutate({ id: theirs }),
      () => alpha.client.threads.get.query({ threadId: thread }),
      () => alpha.client.threads.list.query({ project: 'bravo' }),
      () => alpha.client.kv.list.query({ project: 'bravo' }),
    ]) {
      expect(await notFound(call)).toMatchObject({ code: 'not_found' });
    }
    expect(
      await notFound(() => alpha.client.threads.post.mutate({ threadId: theirs, body: 'let me in' })),
    ).toMatchObject({ code: 'not_found' });
    expect(await notFound(() => alpha.client.kv.get.query({ project: 'bravo', key: 'deploy/key' }))).toEqual({
      code: 'not_found',
      message: 'no project "bravo"',
    });

    // Then alpha's own work: the first thing each feed delivers after bravo's is alpha's.
    const mine = await as('alpha', ['run', '--detach', '--json', '--sandbox', 'process', '--', 'true']);
    const ours = (JSON.parse(mine.stdout) as Task).id;
    expect((await as('alpha', ['kv', 'set', 'deploy/key', '"alpha-value"'])).exitCode).toBe(0);
    await tasks.first((m) => m.type === 'task' && m.task?.id === ours);
    await keys.first((m) => m.type === 'set');
    const delivered = JSON.stringify([tasks.seen, approvals.seen, keys.seen]);
    expect(delivered).not.toContain(theirs);
    expect(delivered).not.toContain('bravo');
    expect(keys.seen.filter((m) => m.type === 'set')).toEqual([
      expect.objectContaining({ entry: expect.objectContaining({ project: 'alpha', value: 'alpha-value' }) }),
    ]);

    // bravo's task was never touched: it still runs, for bravo's member to see.
    const shown = await as('bravo', ['tasks', 'show', theirs, '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: theirs, status: 'running', project: 'bravo' });
    const cancelled = await as('bravo', ['cancel', theirs]);
    expect(cancelled.exitCode, cancelled.stderr).toBe(0);

    for (const subscription of subscriptions) subscription.unsubscribe();
    await alpha.close();
  });
});

describe('nexa projects', () => {
  it('a member lists only its own; only an admin removes one, and not while it has unfinished work', {
    timeout: 120_000,
  }, async () => {
    const listed = await as('alpha', ['projects', 'list', '--json']);
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((p) => p.name)).toEqual(['alpha']);
    const notAdmin = await as('alpha', ['projects', 'rm', 'alpha']);
    expect(notAdmin.exitCode).toBe(125);
    expect(notAdmin.stderr).toContain('a member token may not call projects.remove');

    expect((await nexa(home, ['projects', 'create', 'charlie'])).exitCode).toBe(0);
    const run = await nexa(home, [
      'run',
      '--project',
      'charlie',
      '--detach',
      '--sandbox',
      'process',
      '--',
      'sleep',
      '60',
    ]);
    const busy = await nexa(home, ['projects', 'rm', 'charlie']);
    expect(busy.exitCode).toBe(125);
    expect(busy.stderr).toContain('project "charlie" has 1 unfinished tasks');
    expect((await nexa(home, ['cancel', run.stdout.trim()])).exitCode).toBe(0);
    const removed = await nexa(home, ['projects', 'rm', 'charlie']);
    expect(removed.stdout).toContain('removed project charlie');
    const table = await nexa(home, ['projects', 'list']);
    expect(table.stdout).toMatch(/^NAME\s+CREATED BY\s+CREATED/);
    expect(table.stdout).not.toContain('charlie');
  });
});
