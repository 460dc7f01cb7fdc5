import type { Principal, Role } from '@nexa/core';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, registration } from '../testing/harness.js';
import { connectWorker, event } from '../testing/workers.js';
import type { Access } from '../trpc.js';
import { appRouter } from './index.js';

/**
 * The role × procedure × project matrix: every procedure of the router is
 * called by every kind of caller, on project alpha (the caller's own) and on
 * bravo (another team's), and must be allowed or refused with the exact code.
 * A procedure without a row here fails the first test: adding one means
 * saying how it is reached.
 */

const OWN = 'alpha';
const OTHER = 'bravo';
type Where = typeof OWN | typeof OTHER;

/** The callers: an admin, a member and a viewer of alpha, a worker, and the token of a task running in alpha. */
const callers = ['admin', 'member', 'viewer', 'worker', 'task'] as const;
type Caller = (typeof callers)[number];

interface Fixture {
  /** Running in each project (the task caller holds the alpha one's token). */
  running: Record<Where, string>;
  /** Queued, never taken (no worker has its label): what cancel and retry act on. */
  queued: Record<Where, string>;
  freeThread: Record<Where, string>;
  approval: Record<Where, string>;
  workerName: string;
  taskPrincipal: Principal;
}

interface Row {
  /** One valid input; `where` is the project it reaches into. */
  input: (fixture: Fixture, where: Where, n: number) => unknown;
  /** A listing that names the project in its input: another project's is refused, not filtered. */
  namesProject?: boolean;
  /** What differs from the rule its declaration implies, and why (the test names it). */
  expect?: Partial<Record<Caller, Partial<Record<Where, Outcome>>>>;
}

type Outcome = 'allowed' | 'FORBIDDEN' | 'NOT_FOUND';

const registrationInput = (_f: Fixture, _w: Where, n: number) =>
  registration({ name: `matrix-${n}`, instanceId: `matrix-${n}` });
const appendInput = (f: Fixture) => ({
  taskId: f.running.alpha,
  attempt: 1,
  events: [event(1000, { kind: 'status', status: 'running' })],
});

const rows: Record<string, Row> = {
  'auth.whoami': { input: () => undefined },
  'tasks.submit': {
    input: (_f, where) => ({ project: where, command: ['true'], labels: { pool: 'nowhere' } }),
    // A sub-task joins its parent's project whatever its spec names (checked below).
    expect: { task: { bravo: 'allowed' } },
  },
  'tasks.list': { input: () => ({}) },
  'tasks.page': { input: (_f, where) => ({ project: where }), namesProject: true },
  'tasks.watch': { input: () => ({}) },
  'tasks.get': { input: (f, where) => ({ id: f.running[where] }) },
  'tasks.result': { input: (f, where) => ({ id: f.running[where] }) },
  'tasks.finished': { input: (f, where) => ({ id: f.running[where] }) },
  'tasks.cancel': { input: (f, where) => ({ id: f.queued[where] }) },
  'tasks.continue': { input: (f, where) => ({ id: f.running[where], prompt: 'more' }) },
  'tasks.retry': { input: (f, where) => ({ id: f.queued[where] }) },
  'tasks.handBack': { input: (f) => ({ taskId: f.queued.alpha, attempt: 1 }) },
  'events.append': { input: appendInput },
  'events.appendMany': { input: (f) => ({ batches: [appendInput(f)] }) },
  'events.list': { input: (f, where) => ({ taskId: f.running[where] }) },
  'events.tail': { input: (f, where) => ({ taskId: f.running[where] }) },
  'workers.connect': { input: registrationInput },
  'workers.reconcile': { input: () => ({ running: [] }) },
  'workers.heartbeat': { input: () => ({ running: [] }) },
  'workers.drain': { input: (f) => ({ id: f.workerName }) },
  'workers.undrain': { input: (f) => ({ id: f.workerName }) },
  'workers.leave': { input: () => undefined },
  // Only a join token joins: a worker's plain token is refused too.
  'workers.join': {
    input: (_f, _w, n) => ({ name: `joined-${n}` }),
    expect: { worker: { alpha: 'FORBIDDEN' } },
  },
  'workers.revoke': { input: () => ({ id: 'no-such-worker' }) },
  'workers.list': { input: () => undefined },
  'workers.watch': { input: () => undefined },
  'tokens.create': { input: () => ({ role: 'viewer', subject: 'matrix', projects: [OWN] }) },
  'tokens.list': { input: () => undefined },
  'tokens.revoke': { input: () => ({ id: 'no-such-token' }) },
  'approvals.request': {
    input: (f, _w, n) => ({
      taskId: f.running.alpha,
      attempt: 1,
      key: `matrix-${n}`,
      tool: 'Bash',
      action: 'run ls',
      command: 'ls',
      risk: 'read',
    }),
  },
  'approvals.list': { input: () => ({}) },
  'approvals.answer': { input: (f, where) => ({ id: f.approval[where], approve: true }) },
  'approvals.watch': { input: () => undefined },
  'policy.show': { input: () => undefined },
  'policy.set': { input: () => ({ rules: [] }) },
  'threads.create': { input: (_f, where) => ({ project: where, title: 'matrix' }) },
  'threads.list': { input: (_f, where) => ({ project: where }) },
  'threads.get': { input: (f, where) => ({ threadId: f.running[where] }) },
  'threads.post': { input: (f, where) => ({ threadId: f.running[where], body: 'hello' }) },
  'threads.watch': { input: (f, where) => ({ threadId: f.running[where] }) },
  'threads.ask': { input: () => ({ question: 'which branch?' }) },
  'kv.get': { input: (_f, where) => ({ project: where, key: 'k' }) },
  'kv.set': { input: (_f, where) => ({ project: where, key: 'k', value: 1 }) },
  'kv.list': { input: (_f, where) => ({ project: where }) },
  'kv.remove': { input: (_f, where) => ({ project: where, key: 'gone' }) },
  'kv.watch': { input: (_f, where) => ({ project: where }) },
  'presence.who': { input: (_f, where) => ({ project: where }) },
  'audit.list': { input: () => ({}) },
  'secrets.set': { input: (_f, where) => ({ project: where, name: 'MATRIX_TOKEN', value: 'matrix-value' }) },
  'secrets.list': { input: (_f, where) => ({ project: where }) },
  'secrets.remove': { input: (_f, where) => ({ project: where, name: 'GONE' }) },
  'projects.create': { input: (_f, _w, n) => ({ name: `made-${n}` }) },
  'projects.list': { input: () => undefined },
  'projects.remove': { input: () => ({ name: 'no-such-project' }) },
};

const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { meta: Access; type: string } }>,
);

/** What a caller should get, from the procedure's declaration and the row's stated exceptions. */
function expected(
  access: Access,
  row: Row,
  caller: Caller,
  where: Where,
): Outcome | 'allowed, none of bravo' {
  const stated = row.expect?.[caller]?.[where];
  if (stated) return stated;
  if (!access.roles.includes(caller as Role)) return 'FORBIDDEN';
  if (where === OWN || caller === 'admin' || caller === 'worker') return 'allowed';
  switch (access.project) {
    case 'input':
      return caller === 'task' ? 'FORBIDDEN' : 'NOT_FOUND';
    case 'row':
      return 'NOT_FOUND';
    case 'listing':
      return row.namesProject ? (caller === 'task' ? 'FORBIDDEN' : 'NOT_FOUND') : 'allowed, none of bravo';
    default:
      return 'allowed';
  }
}

/**
 * Errors that are about who may reach what; any other answer means the call
 * was let through. An input refused as invalid proves nothing: the row is wrong.
 */
const accessCodes = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHORIZED', 'BAD_REQUEST']);

type Answer = { ok: true; value: unknown } | { ok: false; code: string; message: string };

/**
 * Calls a procedure by path. A subscription answers with its first value or
 * its error; one that has nothing to say yet (a watch of a quiet queue) was
 * let through when no error comes before it would have to.
 */
async function call(caller: unknown, path: string, type: string, input: unknown): Promise<Answer> {
  const fn = path.split('.').reduce((at, key) => (at as Record<string, unknown>)[key], caller) as (
    input: unknown,
  ) => Promise<unknown>;
  try {
    const result = await fn(input);
    if (type !== 'subscription') return { ok: true, value: result };
    const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    let quiet: NodeJS.Timeout | undefined;
    const first = await Promise.race([
      iterator.next(),
      new Promise<{ quiet: true }>((resolve) => {
        quiet = setTimeout(() => resolve({ quiet: true }), 250);
      }),
    ]).finally(() => clearTimeout(quiet));
    void iterator.return?.();
    return { ok: true, value: 'quiet' in first ? null : first.value };
  } catch (error) {
    if (error instanceof TRPCError) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

let harness: Harness;
let fixture: Fixture;
const as: Record<Caller, () => unknown> = {} as never;

beforeAll(async () => {
  harness = await createHarness();
  const admin = harness.as('admin');
  for (const name of [OWN, OTHER]) await admin.projects.create({ name });
  const worker = await connectWorker(harness, 'matrix-worker', { capacity: 8 });
  const running = {} as Record<Where, string>;
  const tokens = {} as Record<Where, string>;
  const approval = {} as Record<Where, string>;
  for (const where of [OWN, OTHER] as const) {
    const task = await admin.tasks.submit({
      project: where,
      agent: 'claude',
      prompt: 'work',
      sandbox: 'bwrap',
    });
    const { assignment } = await worker.nextOf('assign');
    await worker.caller.events.append({
      taskId: task.id,
      attempt: 1,
      events: [event(1, { kind: 'status', status: 'running' })],
    });
    running[where] = task.id;
    tokens[where] = assignment.token as string;
    const asked = await worker.caller.approvals.request({
      taskId: task.id,
      attempt: 1,
      key: 'fixture',
      tool: 'Bash',
      action: 'run make',
      command: 'make',
      risk: 'execute',
    });
    approval[where] = (asked as { approval: { id: string } }).approval.id;
  }
  const queued = {} as Record<Where, string>;
  const freeThread = {} as Record<Where, string>;
  for (const where of [OWN, OTHER] as const) {
    queued[where] = (
      await admin.tasks.submit({ project: where, command: ['true'], labels: { pool: 'nowhere' } })
    ).id;
    freeThread[where] = (await admin.threads.create({ project: where, title: 'plans' })).id;
    await admin.kv.set({ project: where, key: 'k', value: where });
  }
  fixture = {
    running,
    queued,
    freeThread,
    approval,
    workerName: 'matrix-worker',
    taskPrincipal: await harness.services.tokens.verify(tokens.alpha),
  };
  const person = (role: Role): Principal => ({
    jti: `p-${role}`,
    role,
    subject: `${role}-of-alpha`,
    projects: [OWN],
  });
  as.admin = () => harness.as('admin');
  as.member = () => harness.asPrincipal(person('member'));
  as.viewer = () => harness.asPrincipal(person('viewer'));
  as.worker = () => harness.connection('worker');
  as.task = () => harness.asPrincipal(fixture.taskPrincipal);
}, 30_000);
afterAll(() => harness.close());

/** Ids of bravo's rows: none may appear in what a caller of alpha is given. */
function bravoIds(): string[] {
  return [
    fixture.running.bravo,
    fixture.queued.bravo,
    fixture.freeThread.bravo,
    fixture.approval.bravo,
    `"${OTHER}"`,
  ];
}

describe('the role × procedure × project matrix', () => {
  it('has a row for every procedure of the router, and none for one that is gone', () => {
    expect(Object.keys(rows).sort()).toEqual(procedures.map(([path]) => path).sort());
  });

  let n = 0;
  const cells = procedures.flatMap(([path, procedure]) => {
    const { meta, type } = procedure._def;
    // A project rule of own or none does not depend on the project: one column is enough.
    const wheres: Where[] = meta.project === 'own' || meta.project === 'none' ? [OWN] : [OWN, OTHER];
    return callers.flatMap((caller) => wheres.map((where) => ({ path, type, meta, caller, where })));
  });

  it.each(cells)('$path as $caller on $where', async ({ path, type, meta, caller, where }) => {
    const row = rows[path];
    if (!row) throw new Error(`no matrix row for ${path}`);
    const want = expected(meta, row, caller, where);
    const answer = await call(as[caller](), path, type, row.input(fixture, where, n++));
    if (want === 'FORBIDDEN' || want === 'NOT_FOUND') {
      expect(answer, `${path} as ${caller} on ${where}: ${JSON.stringify(answer)}`).toMatchObject({
        ok: false,
        code: want,
      });
      if (want === 'NOT_FOUND' && where === OTHER) {
        // The words of a missing row or project: nothing says it exists elsewhere.
        expect((answer as { message: string }).message).toMatch(/^no (task|thread|approval|project) /);
      }
      return;
    }
    // Let through: any answer but a refusal of access (an unregistered worker's call is `unavailable`).
    if (!answer.ok && meta.project !== 'own' && meta.project !== 'none') {
      expect(accessCodes.has(answer.code), `${path}: ${answer.code} ${answer.message}`).toBe(false);
    }
    if (!answer.ok && accessCodes.has(answer.code) && answer.code !== 'NOT_FOUND') {
      // NOT_FOUND is an answer of a procedure about no project (no such worker, token or project).
      expect.fail(`${path} as ${caller}: refused with ${answer.code} ${answer.message}`);
    }
    if (want === 'allowed, none of bravo' && answer.ok) {
      const text = JSON.stringify(answer.value) ?? '';
      for (const id of bravoIds()) expect(text, `${path} shows ${id} to a caller of alpha`).not.toContain(id);
    }
  });

  it('a sub-task names another project in vain: it joins its parent’s', async () => {
    const child = (await (as.task() as ReturnType<Harness['as']>).tasks.submit({
      project: OTHER,
      command: ['true'],
    })) as { project: string };
    expect(child.project).toBe(OWN);
  });
});
