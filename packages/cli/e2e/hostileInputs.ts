import { limits } from '@nexa/core';
import { TRPC_PATH } from '@nexa/core/config';
import type { AppRouter } from '@nexa/server';

/**
 * The generator behind hostileInput.test.ts: malformed and oversized inputs
 * for every procedure of the coordinator, over HTTP and WebSocket, drawn from
 * a seeded PRNG so a failing run can be replayed with NEXA_FUZZ_SEED.
 */

type ProcedureType = 'query' | 'mutation' | 'subscription';

/** 'tasks.submit' → 'subscription' | ..., for every procedure of the router, derived from its type. */
type ProcedureTypes<Record, Prefix extends string = ''> = {
  [K in keyof Record & string]: Record[K] extends { _def: { type: infer T extends ProcedureType } }
    ? { [P in `${Prefix}${K}`]: T }
    : ProcedureTypes<Record[K], `${Prefix}${K}.`>;
}[keyof Record & string];
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;
type AllProcedures = UnionToIntersection<ProcedureTypes<AppRouter['_def']['record']>>;
export type ProcedurePath = keyof AllProcedures & string;

interface ProcedureRow<T extends ProcedureType> {
  type: T;
  /** A nearly valid input the generator mutates one field at a time (hostile values land deep, not only at the top). */
  seed: unknown;
}

/**
 * Every procedure, once: the compiler demands a row for a new one (and the
 * right type), so the suite can never silently skip a procedure.
 */
export const procedures = {
  'auth.whoami': { type: 'query', seed: undefined },
  'tasks.submit': {
    type: 'mutation',
    seed: {
      command: ['sh', '-c', 'true'],
      agent: 'shell',
      sandbox: { kind: 'process' },
      labels: { a: 'b' },
      env: { A: 'b' },
      timeoutMs: 1000,
      priority: 0,
    },
  },
  'tasks.list': { type: 'query', seed: { status: 'queued', limit: 10 } },
  'tasks.page': { type: 'query', seed: { status: 'queued', limit: 10, cursor: 'MTcwMDAwMDAwMDAwMC50LXg' } },
  'tasks.get': { type: 'query', seed: { id: 't-nosuchtask' } },
  'tasks.cancel': { type: 'mutation', seed: { id: 't-nosuchtask' } },
  'tasks.retry': { type: 'mutation', seed: { id: 't-nosuchtask' } },
  'tasks.handBack': { type: 'mutation', seed: { taskId: 't-nosuchtask', attempt: 1 } },
  'tasks.watch': { type: 'subscription', seed: { lastEventId: '1' } },
  'events.append': {
    type: 'mutation',
    seed: {
      taskId: 't-nosuchtask',
      attempt: 1,
      events: [
        { seq: 1, at: 1, kind: 'output', stream: 'stdout', data: 'x' },
        { seq: 2, at: 1, kind: 'tool_call', callId: 'c', tool: 'Bash', title: 't', input: { command: 'ls' } },
      ],
    },
  },
  'events.appendMany': {
    type: 'mutation',
    seed: {
      batches: [
        {
          taskId: 't-nosuchtask',
          attempt: 1,
          events: [{ seq: 1, at: 1, kind: 'output', stream: 'stdout', data: 'x' }],
        },
      ],
    },
  },
  'events.list': { type: 'query', seed: { taskId: 't-nosuchtask', afterSeq: 0, limit: 10 } },
  'events.tail': { type: 'subscription', seed: { taskId: 't-nosuchtask', afterSeq: 0 } },
  'workers.connect': {
    type: 'subscription',
    seed: {
      name: 'hostile-fake',
      instanceId: 'abcdefgh12',
      labels: {},
      capacity: 1,
      version: '0',
      sandboxes: ['docker'],
      agents: ['claude'],
    },
  },
  'workers.reconcile': { type: 'mutation', seed: { running: [{ taskId: 't-nosuchtask', attempt: 1 }] } },
  'workers.heartbeat': { type: 'mutation', seed: { running: ['t-nosuchtask'] } },
  'workers.drain': { type: 'mutation', seed: { id: 'w-nosuchworker' } },
  'workers.undrain': { type: 'mutation', seed: { id: 'w-nosuchworker' } },
  'workers.watch': { type: 'subscription', seed: undefined },
  'workers.leave': { type: 'mutation', seed: undefined },
  'workers.list': { type: 'query', seed: undefined },
  'workers.join': { type: 'mutation', seed: { name: 'hostile-joiner' } },
  'workers.revoke': { type: 'mutation', seed: { id: 'w-nosuchworker' } },
  'tokens.create': {
    type: 'mutation',
    seed: { role: 'viewer', subject: 'hostile', ttlSeconds: 60, projects: ['default'] },
  },
  'tokens.list': { type: 'query', seed: undefined },
  'tokens.revoke': { type: 'mutation', seed: { id: 'nosuchjti' } },
  'approvals.request': {
    type: 'mutation',
    seed: { taskId: 't-nosuchtask', attempt: 1, key: 'k', tool: 'Bash', command: 'ls', risk: 'low' },
  },
  'approvals.list': { type: 'query', seed: { status: ['pending'], limit: 10 } },
  'approvals.answer': {
    type: 'mutation',
    seed: { id: 'a-nosuch', approve: true, reason: 'no', updatedInput: { command: 'ls' } },
  },
  'approvals.watch': { type: 'subscription', seed: undefined },
  'policy.show': { type: 'query', seed: undefined },
  'policy.set': { type: 'mutation', seed: { rules: [{ action: 'deny', tool: 'Bash', command: 'rm *' }] } },
  // Issue 11: conversations, kv, presence, sub-tasks (added with the coordinator's routers).
  'tasks.result': { type: 'query', seed: { id: 't-nosuchtask' } },
  'tasks.finished': { type: 'subscription', seed: { id: 't-nosuchtask' } },
  'tasks.continue': { type: 'mutation', seed: { id: 't-nosuchtask', prompt: 'more' } },
  'threads.create': { type: 'mutation', seed: { project: 'hostile', title: 'hostile thread' } },
  'threads.list': { type: 'query', seed: { project: 'hostile', limit: 10 } },
  'threads.get': { type: 'query', seed: { threadId: 'h-nosuchthread', afterSeq: 0, limit: 10 } },
  'threads.post': {
    type: 'mutation',
    seed: { threadId: 'h-nosuchthread', body: 'hi', kind: 'message', replyTo: 'm-nosuchmessage' },
  },
  'threads.watch': { type: 'subscription', seed: { threadId: 'h-nosuchthread', lastEventId: '1' } },
  'threads.ask': { type: 'mutation', seed: { question: 'which one?' } },
  'kv.get': { type: 'query', seed: { project: 'hostile', key: 'k' } },
  'kv.set': {
    type: 'mutation',
    seed: { project: 'hostile', key: 'k', value: { a: [1, 'b'] }, ifVersion: 7 },
  },
  'kv.list': { type: 'query', seed: { project: 'hostile', prefix: 'k', limit: 10 } },
  'kv.remove': { type: 'mutation', seed: { project: 'hostile', key: 'k', ifVersion: 7 } },
  'kv.watch': { type: 'subscription', seed: { project: 'hostile', prefix: 'k' } },
  'presence.who': { type: 'query', seed: { project: 'hostile' } },
  // Issue 12: the secret store.
  'secrets.set': {
    type: 'mutation',
    seed: { project: 'hostile', name: 'HOSTILE_KEY', value: 'hostile-value' },
  },
  'secrets.list': { type: 'query', seed: { project: 'hostile' } },
  'secrets.remove': { type: 'mutation', seed: { project: 'hostile', name: 'HOSTILE_KEY' } },
  // Issue 12: the audit log.
  'audit.list': { type: 'query', seed: { sinceMs: 0, project: 'hostile', action: 'auth.failed', limit: 10 } },
  // Issue 12: projects.
  'projects.create': { type: 'mutation', seed: { name: 'hostile-made' } },
  'projects.list': { type: 'query', seed: undefined },
  'projects.remove': { type: 'mutation', seed: { name: 'hostile-made' } },
} as const satisfies { [P in ProcedurePath]: ProcedureRow<AllProcedures[P]> };

export const procedurePaths = Object.keys(procedures) as ProcedurePath[];

export type Role = 'admin' | 'member' | 'viewer' | 'worker' | 'forged' | 'none';
export const roles: Role[] = ['admin', 'member', 'viewer', 'worker', 'forged', 'none'];

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same barrage. */
export function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
    chance: (p: number) => next() < p,
  };
}
export type Random = ReturnType<typeof prng>;

/** Text nested `depth` levels deep, as raw JSON (JSON.stringify of such a value would itself overflow). */
export function deepJson(depth: number, open: '[' | '{'): string {
  return open === '['
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Lengths just under and just over every string limit in core/limits.ts. */
const stringLimits = [
  ...new Set(
    [
      limits.task.commandArgChars,
      limits.task.envValueChars,
      limits.task.envNameChars,
      limits.task.labelKeyChars,
      limits.task.labelValueChars,
      limits.task.promptChars,
      limits.policy.toolChars,
      limits.policy.commandPatternChars,
      limits.policy.pathPatternChars,
      limits.event.idChars,
      limits.event.outputChars,
      limits.event.patchChars,
      2000,
      200,
      128,
      64,
    ].flatMap((limit) => [limit, limit + 1]),
  ),
];

/** A hostile string; only `big` ones reach the size limits (nested values stay small, so a case stays cheap). */
function hostileString(random: Random, big = true): string {
  const fill = random.pick(['x', '\u0000', '💥', '\ud800', 'é', '\u202e', '%', '"']);
  switch (random.int(12)) {
    case 0:
      if (!big) return fill.repeat(300);
      {
        // Escaped fills (NUL is six bytes of JSON) stay under 64 Ki repeats: a case stays a few hundred KiB.
        const length = random.pick(stringLimits);
        return (length > 64 * 1024 ? random.pick(['x', 'é']) : fill).repeat(Math.ceil(length / fill.length));
      }
    case 1:
      return 'a\u0000b';
    case 2:
      return '\ud800\udfff\udc00';
    case 3:
      return random.pick(['NaN', 'Infinity', '-0', '1e999', '0x10', '', ' ', 'null', 'undefined']);
    case 4:
      return random.pick([
        '../../etc/passwd',
        '%s%n%x',
        '<script>',
        "'; DROP TABLE tasks; --",
        '*'.repeat(500),
      ]);
    case 5:
      return random.pick(['t-', 'w-', 'a-']) + random.int(1e9).toString(36);
    case 6:
      return '9'.repeat(400);
    default:
      return fill.repeat(1 + random.int(64));
  }
}

/** One value of a wrong or extreme kind. */
export function hostileValue(random: Random, depth = 0): unknown {
  switch (random.int(depth > 2 ? 8 : 11)) {
    case 0:
      return null;
    case 1:
      return random.pick([true, false]);
    case 2:
      return random.pick([0, -1, 1.5, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, Number.MIN_VALUE, 1024, 1025]);
    case 3:
    case 4:
    case 5:
      return hostileString(random, depth === 0);
    case 6:
      return [];
    case 7:
      return {};
    case 8:
      return random.chance(0.2)
        ? Array.from({ length: random.pick([1001, 10_001]) }, () => random.pick([0, 'x', null, {}]))
        : Array.from({ length: random.pick([1, 3, 17]) }, () => hostileValue(random, depth + 1));
    case 9:
      return Object.fromEntries(
        Array.from({ length: 1 + random.int(4) }, () => [
          random.pick(['__proto__', 'constructor', 'toString', 'id', 'taskId', 'x', '']),
          hostileValue(random, depth + 1),
        ]),
      );
    default: {
      let value: unknown = 1;
      for (let i = 0; i < random.pick([10, 63, 64, 65, 200]); i++) value = { a: value };
      return value;
    }
  }
}

/** The seed with one field (at any depth) replaced, dropped or joined by a stranger; or a wholly hostile value. */
export function mutate(random: Random, seed: unknown): unknown {
  if (seed === null || typeof seed !== 'object' || random.chance(0.25)) return hostileValue(random);
  const copy = structuredClone(seed) as Record<string, unknown>;
  let holder: Record<string, unknown> | unknown[] = copy;
  for (;;) {
    const keys = Object.keys(holder);
    if (keys.length === 0) break;
    const key = random.pick(keys);
    const child = (holder as Record<string, unknown>)[key];
    if (child && typeof child === 'object' && random.chance(0.5)) {
      holder = child as Record<string, unknown>;
      continue;
    }
    const action = random.int(10);
    if (action === 0) delete (holder as Record<string, unknown>)[key];
    else if (action === 1) (holder as Record<string, unknown>)[hostileString(random).slice(0, 100)] = 1;
    else (holder as Record<string, unknown>)[key] = hostileValue(random);
    break;
  }
  return copy;
}

/** An HTTP request exactly as it goes on the wire (a path we choose byte for byte). */
export interface HttpCase {
  kind: string;
  role: Role;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Sent in chunks without a content-length: the size is known only by reading it. */
  chunked?: boolean;
}

const invalidUtf8 = Buffer.from([
  0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d,
]);

function brokenJson(random: Random): string | Buffer {
  return random.pick<string | Buffer>([
    '{',
    '{"id":',
    '[1,2',
    '{"a":1}}',
    "{'single':1}",
    'undefined',
    'NaN',
    '',
    '\u0000',
    '{"a":"\u0000"}',
    '{"a":1,"a":2}',
    `{"x":${'9'.repeat(5000)}}`,
    '"\\ud800"',
    '{"__proto__":{"admin":true}}',
    invalidUtf8,
    Buffer.from([0xc0, 0x80, 0xed, 0xa0, 0x80]),
    Buffer.alloc(64, 0),
    deepJson(10_000, '['),
    deepJson(10_000, '{'),
    deepJson(100_000, '['),
  ]);
}

function encodedInput(value: unknown): string {
  return encodeURIComponent(JSON.stringify(value) ?? 'null');
}

const url = (path: string, query = '') => `${TRPC_PATH}/${path}${query}`;

/** One hostile HTTP request. */
export function httpCase(random: Random): HttpCase {
  const role = random.pick(roles);
  const path = random.pick(procedurePaths);
  const { type, seed } = procedures[path];
  const sendAs = type === 'mutation' ? 'POST' : 'GET';
  switch (random.int(20)) {
    case 0:
      return { kind: 'http broken json', role, method: 'POST', path: url(path), body: brokenJson(random) };
    case 1:
      return {
        kind: 'http broken query',
        role,
        method: 'GET',
        path: url(
          path,
          random.pick([
            '?input=%',
            '?input=%E0%A4%A',
            '?input=%FF%FE',
            '?input=%00',
            `?input=${'%5B'.repeat(3000)}`,
            '?input={',
            '?batch=1',
            '?batch=1&input=[]',
            '?batch=1&input=null',
            '?batch=2&input=1',
            '?input=1&input=2',
          ]),
        ),
      };
    case 2:
      return {
        kind: 'http unknown procedure',
        role,
        method: random.pick(['GET', 'POST'] as const),
        path: url(
          random.pick([
            'nope',
            'tasks.nope',
            'tasks',
            '',
            '..',
            '../healthz',
            '%2e%2e/healthz',
            'tasks.submit/extra',
            '__proto__',
            'constructor.prototype',
            'tasks.__proto__',
            'a'.repeat(2000),
            '%ZZ',
          ]),
        ),
      };
    case 3:
      return { kind: 'http wrong method', role, method: sendAs === 'GET' ? 'POST' : 'GET', path: url(path) };
    case 4: {
      const calls = random.pick([2, limits.wire.batchCalls, limits.wire.batchCalls + 1, 100]);
      const paths = Array.from({ length: calls }, () => random.pick(procedurePaths));
      const inputs = Object.fromEntries(paths.map((p, i) => [i, mutate(random, procedures[p].seed)]));
      const method = random.pick(['GET', 'POST'] as const);
      return {
        kind: calls > limits.wire.batchCalls ? 'http oversized batch' : 'http batch',
        role,
        method,
        path: url(paths.join(','), `?batch=1${method === 'GET' ? `&input=${encodedInput(inputs)}` : ''}`),
        body: method === 'POST' ? JSON.stringify(inputs) : undefined,
      };
    }
    case 5:
      return {
        kind: 'http odd headers',
        role,
        method: 'POST',
        path: url(path),
        headers: random.pick<Record<string, string>>([
          { 'content-type': 'text/plain' },
          { 'content-type': 'multipart/form-data; boundary=x' },
          { 'content-type': 'application/octet-stream' },
          { 'content-type': 'application/x-www-form-urlencoded' },
          { 'content-length': '99999999999' },
          { authorization: `Bearer ${'x'.repeat(8000)}` },
          { authorization: 'Bearer ' },
          { authorization: 'Basic YTpi' },
          { 'trpc-accept': 'application/jsonl' },
          { 'x-huge': 'y'.repeat(20_000) },
        ]),
        body: random.pick<string | Buffer>([
          '{}',
          invalidUtf8,
          '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
        ]),
      };
    case 6:
      return {
        kind: 'http deep get',
        role,
        method: 'GET',
        path: url(path, `?input=${encodeURIComponent(deepJson(random.pick([100, 1000, 5000]), '['))}`),
      };
    default: {
      const input = mutate(random, seed);
      return sendAs === 'GET'
        ? { kind: `http ${type}`, role, method: 'GET', path: url(path, `?input=${encodedInput(input)}`) }
        : { kind: `http ${type}`, role, method: 'POST', path: url(path), body: JSON.stringify(input) ?? '' };
    }
  }
}

/** A few requests of several MiB: just under and over the wire limit. */
export function bigBodyCases(): HttpCase[] {
  const under = limits.wire.messageBytes - 1024;
  return [
    {
      kind: 'http big body',
      role: 'admin',
      method: 'POST',
      path: url('tasks.submit'),
      body: JSON.stringify({ command: ['echo', 'x'.repeat(under - 40)] }),
    },
    {
      kind: 'http big body',
      role: 'worker',
      method: 'POST',
      path: url('events.append'),
      body: JSON.stringify({
        taskId: 't-x',
        attempt: 1,
        events: [{ seq: 1, at: 1, kind: 'output', stream: 'stdout', data: 'x'.repeat(under - 200) }],
      }),
    },
    {
      kind: 'http big body',
      role: 'admin',
      method: 'POST',
      path: url('policy.set'),
      body: Buffer.alloc(limits.wire.messageBytes + 1, 'x'),
    },
    {
      kind: 'http big body',
      role: 'none',
      method: 'POST',
      path: url('tasks.submit'),
      body: Buffer.alloc(8 * 1024 * 1024, '['),
    },
    {
      kind: 'http big chunked body',
      role: 'admin',
      method: 'POST',
      path: url('tasks.submit'),
      body: Buffer.alloc(6 * 1024 * 1024, ' '),
      chunked: true,
    },
    {
      kind: 'http big chunked body',
      role: 'worker',
      method: 'POST',
      path: url('events.append'),
      body: Buffer.alloc(limits.wire.messageBytes + 1, ' '),
      chunked: true,
    },
  ];
}

/** One frame a WebSocket client sends, and what must come back for it. */
export interface WsFrame {
  data: string | Buffer;
  /** Sent as a binary frame (else a text frame, even for bytes that are not UTF-8). */
  binary?: boolean;
  /** The ids whose answers must arrive (or the socket close); none when no answer is owed by id. */
  answerIds: number[];
}

export interface WsScript {
  kind: string;
  role: Role;
  /** Open with ?connectionParams=1 but send calls before (or instead of) the params. */
  unauthenticatedFrames?: boolean;
  frames: WsFrame[];
}

function callFrame(id: number, method: string, path: string, input: unknown): WsFrame {
  // An unknown method is refused before the id is read: answered with id null, owed nothing by id.
  const owed = ['query', 'mutation', 'subscription'].includes(method) ? [id] : [];
  return { data: JSON.stringify({ id, jsonrpc: '2.0', method, params: { path, input } }), answerIds: owed };
}

/** What a registered worker may call: where a hostile worker reaches deepest (the event log, leases). */
const workerCalls = [
  'events.append',
  'workers.heartbeat',
  'workers.reconcile',
  'tasks.handBack',
  'approvals.request',
  'workers.leave',
] as const;

/** A seed aimed at a real task (one another worker holds): every such call must be refused. */
function aimedAt(seed: unknown, taskId: string): unknown {
  if (seed === undefined) return undefined;
  return JSON.parse(JSON.stringify(seed).replaceAll('t-nosuchtask', taskId));
}

/**
 * A socket's worth of hostile frames; ids are unique within the script.
 * `realTaskIds` are tasks other workers hold: a fake worker's calls aim at them too.
 */
export function wsScript(random: Random, realTaskIds: string[] = []): WsScript {
  const role = random.pick(roles);
  let id = 1;
  const frames: WsFrame[] = [];
  const flavour = random.int(10);
  if (flavour === 2 && realTaskIds.length > 0) {
    // A worker that registers for real, then sends hostile worker calls, some at a task it does not hold.
    const registration = {
      ...(procedures['workers.connect'].seed as object),
      name: `hostile-${random.int(1e9)}`,
    };
    frames.push(callFrame(id++, 'subscription', 'workers.connect', registration));
    for (let i = 0; i < 10 + random.int(20); i++) {
      const path = random.pick(workerCalls);
      const seed = random.chance(0.5)
        ? aimedAt(procedures[path].seed, random.pick(realTaskIds))
        : procedures[path].seed;
      frames.push(callFrame(id++, 'mutation', path, random.chance(0.3) ? seed : mutate(random, seed)));
    }
    return { kind: 'ws hostile worker', role: 'worker', frames };
  }
  if (flavour === 0) {
    // Too many subscriptions on one socket: the 65th and later are refused, typed.
    const path = random.pick(['approvals.watch', 'events.tail'] as const);
    for (let i = 0; i < limits.wire.subscriptionsPerConnection + 6; i++)
      frames.push(callFrame(id++, 'subscription', path, procedures[path].seed));
    return { kind: 'ws many subscriptions', role, frames };
  }
  if (flavour === 1) {
    // The first frame is taken as the connection params, whatever it is: a call, or params of a wrong shape.
    if (random.chance(0.5)) {
      const token = random.pick<unknown>([123, null, {}, ['x'], 'x'.repeat(1024 * 1024), '\u0000', '']);
      frames.push({
        data: random.pick([
          JSON.stringify({ method: 'connectionParams', data: { token } }),
          JSON.stringify({ method: 'connectionParams', data: token }),
          JSON.stringify({ method: 'connectionParams' }),
          '{"method":"connectionParams","data":',
        ]),
        answerIds: [],
      });
    }
    for (let i = 0; i < 3; i++) {
      const path = random.pick(procedurePaths);
      frames.push(callFrame(id++, procedures[path].type, path, mutate(random, procedures[path].seed)));
    }
    return { kind: 'ws before authentication', role, unauthenticatedFrames: true, frames };
  }
  const count = 5 + random.int(25);
  for (let i = 0; i < count; i++) {
    const path = random.pick(procedurePaths);
    const { type, seed } = procedures[path];
    switch (random.int(14)) {
      case 0:
        frames.push({ data: brokenJson(random), answerIds: [] });
        break;
      case 1:
        frames.push({ data: invalidUtf8, binary: true, answerIds: [] });
        break;
      case 2:
        frames.push({
          data: random.pick(['1', 'null', '"x"', '[]', '{}', 'true', '{"id":null}', '{"id":{}}', '{"id":1}']),
          answerIds: [],
        });
        break;
      case 3:
        frames.push(
          callFrame(
            id++,
            random.pick(['query', 'mutation', 'subscription', 'nope', '']),
            path,
            mutate(random, seed),
          ),
        );
        break;
      case 4: {
        const calls = random.pick([2, limits.wire.batchCalls, limits.wire.batchCalls + 1, 200]);
        const batch = Array.from({ length: calls }, () => {
          const p = random.pick(procedurePaths);
          return {
            id: id++,
            method: procedures[p].type,
            params: { path: p, input: mutate(random, procedures[p].seed) },
          };
        });
        // Every call in a batch is answered by its id, within the cap or over it.
        frames.push({ data: JSON.stringify(batch), answerIds: batch.map((call) => call.id) });
        break;
      }
      case 5:
        frames.push({
          data: JSON.stringify({ id: random.int(50), method: 'subscription.stop' }),
          answerIds: [],
        });
        break;
      case 6:
        frames.push({
          data: JSON.stringify({ method: 'connectionParams', data: { token: hostileValue(random) } }),
          answerIds: [],
        });
        break;
      case 7:
        frames.push(
          callFrame(id++, type, random.pick(['nope', 'tasks', '__proto__', 'tasks.constructor', '']), {}),
        );
        break;
      case 8:
        frames.push({
          data: `{"id":${id},"method":"${type}","params":{"path":"${path}","input":${deepJson(10_000, random.pick(['[', '{'] as const))}}}`,
          answerIds: [id++],
        });
        break;
      case 9:
        frames.push({
          data: JSON.stringify({ id: id++, method: type, params: random.pick([null, 1, 'x', []]) }),
          answerIds: [],
        });
        break;
      default:
        frames.push(callFrame(id++, type, path, mutate(random, seed)));
    }
  }
  return { kind: 'ws frames', role, frames };
}
