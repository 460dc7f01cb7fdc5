// Messages between agents through the coordinator (issue 11), beside a bare tRPC mutation measured
// in the same run, interleaved:
//
// - round trip: agent A posts in a thread with its task token; agent B, waiting as `wait_for_reply`
//   does (a threads.watch subscription from the last seq it saw, opened before A posts), has the
//   message. Time from A's post to B's having it; raw: one bare mutation's round trip.
// - sustained: 50 agents (each its own task token and its own WebSocket, as each agent's `nexa mcp`
//   is) post one message after another in their own threads for a few seconds; messages acknowledged
//   per second, and every one of them is then counted in its thread. Raw: 50 clients, each its own
//   WebSocket, calling a tiny tRPC server's one mutation that does nothing but return (same client
//   stack, the same body), in its own process as the coordinator is.
//
// Task tokens are minted per assignment: this process plays the worker that takes the agents'
// tasks, so the tokens are real and no agent's own time is in the figures. The seed system this
// replaces promised 1,000 messages a minute.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createNexaClient } from '@nexa/core/client';
import { countFlag } from './flags.mjs';
import { figure } from './result.mjs';
import { startStack } from './stack.mjs';
import { percentile } from './stats.mjs';

export const messagesFlags = {
  runs: { type: 'string' },
  posters: { type: 'string' },
  seconds: { type: 'string' },
};

const thisScript = fileURLToPath(import.meta.url);
/** What every message carries, bare or not: an agent's short status line. */
const body = (n) => `build step ${n} finished: 214 tests passed, 0 failed; moving on to the linter`;

// ---- the bare counterpart: a tRPC server with one mutation that only returns (its own process) ----

async function serveBare() {
  const fromServer = createRequire(new URL('../../packages/server/package.json', import.meta.url));
  const load = (name) => import(pathToFileURL(fromServer.resolve(name)).href);
  const { initTRPC } = await load('@trpc/server');
  const { applyWSSHandler } = await load('@trpc/server/adapters/ws');
  const { WebSocketServer } = fromServer('ws');
  const t = initTRPC.create();
  const router = t.router({ noop: t.procedure.input((value) => value).mutation(() => null) });
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  applyWSSHandler({ wss, router });
  await once(wss, 'listening');
  console.log(wss.address().port);
}

async function startBare() {
  const child = spawn(process.execPath, [thisScript, 'bare-server'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [port] = await once(createInterface({ input: child.stdout }), 'line');
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// ---- this process as the worker that holds the agents' tasks ----

/** Connects as a worker, takes `count` shell tasks, says each is running; their task tokens. */
async function holdTasks(stack, count) {
  const { token } = await stack.client.tokens.create.mutate({ role: 'worker' });
  const { client, close } = createNexaClient({ server: stack.url, token, transport: 'websocket' });
  const assignments = [];
  let registered;
  let subscription;
  const allAssigned = new Promise((resolve, reject) => {
    subscription = client.workers.connect.subscribe(
      {
        name: 'bench-agents',
        instanceId: `bench-agents-${process.pid}`,
        labels: { bench: 'messages' },
        capacity: count,
        version: 'bench',
        sandboxes: ['process'],
        agents: ['shell'],
      },
      {
        onData(message) {
          if (message.type === 'registered') registered?.(message);
          if (message.type === 'assign') {
            assignments.push(message.assignment);
            if (assignments.length === count) resolve();
          }
        },
        onError: reject,
      },
    );
  });
  const { heartbeatMs } = await new Promise((resolve) => {
    registered = resolve;
  });
  for (let i = 0; i < count; i++)
    await stack.client.tasks.submit.mutate({
      command: ['sleep', 'infinity'],
      sandbox: 'process',
      labels: { bench: 'messages' },
    });
  await allAssigned;
  const missing = assignments.find((a) => !a.token);
  if (missing) throw new Error(`the assignment of ${missing.taskId} carried no task token`);
  // One at a time: calls made in one tick share a WebSocket batch, and the coordinator bounds a batch.
  for (const a of assignments)
    await client.events.append.mutate({
      taskId: a.taskId,
      attempt: a.attempt,
      events: [{ seq: a.firstSeq, at: Date.now(), kind: 'status', status: 'running' }],
    });
  // Without heartbeats the lease runs out and the tasks (and their tokens) are taken back.
  const running = assignments.map((a) => a.taskId);
  const beat = setInterval(
    () => void client.workers.heartbeat.mutate({ running }).catch(() => {}),
    heartbeatMs,
  );
  return {
    assignments,
    async close() {
      clearInterval(beat);
      subscription.unsubscribe();
      await close();
    },
  };
}

/** One agent's own connection, as its `nexa mcp` opens it. */
const agentClient = (url, token) =>
  createNexaClient({ server: url, token, transport: 'websocket', client: 'mcp' });

// ---- round trip ----

/** B waits as wait_for_reply does: a watch from the last seq it saw, resolved by the next message. */
function waitForNext(client, threadId, lastSeq) {
  let subscription;
  let started;
  const ready = new Promise((resolve) => {
    started = resolve;
  });
  const message = new Promise((resolve, reject) => {
    subscription = client.threads.watch.subscribe(
      { threadId, lastEventId: String(lastSeq) },
      {
        onStarted: () => started(),
        onData: ({ data }) => {
          resolve({ message: data, at: performance.now() });
          subscription.unsubscribe();
        },
        onError: reject,
      },
    );
  });
  return { ready, message };
}

async function roundTrips(url, [a, b], bare, runs) {
  const A = agentClient(url, a.token);
  const B = agentClient(url, b.token);
  try {
    const thread = await A.client.threads.create.mutate({ title: 'bench: round trip' });
    let lastSeq = 0;
    const samples = { bare: [], nexa: [] };
    let wrong = 0;
    const one = async (n) => {
      const wait = waitForNext(B.client, thread.id, lastSeq);
      await wait.ready;
      const sent = performance.now();
      const posted = await A.client.threads.post.mutate({ threadId: thread.id, body: body(n) });
      const { message, at } = await wait.message;
      if (message.id !== posted.id) wrong++;
      lastSeq = message.seq;
      return at - sent;
    };
    const bareOnce = async (n) => {
      const sent = performance.now();
      await bare.client.noop.mutate({ threadId: thread.id, body: body(n) });
      return performance.now() - sent;
    };
    for (let n = 0; n < 20; n++) {
      await one(n); // JIT, the database, the sockets
      await bareOnce(n);
    }
    for (let n = 0; n < runs; n++) {
      samples.bare.push(await bareOnce(n));
      samples.nexa.push(await one(n));
    }
    return { samples, intact: wrong === 0 };
  } finally {
    await A.close();
    await B.close();
  }
}

// ---- the same round trip through two real `nexa mcp` processes over stdio ----

const nexaBin = fileURLToPath(new URL('../../packages/cli/bin/run.js', import.meta.url));

/** `nexa mcp` as an agent's MCP client starts it: the server and token in its environment. */
async function mcpAgent(url, token) {
  const fromWorker = createRequire(new URL('../../packages/worker/package.json', import.meta.url));
  const load = (name) => import(pathToFileURL(fromWorker.resolve(name)).href);
  const { Client } = await load('@modelcontextprotocol/sdk/client/index.js');
  const { StdioClientTransport } = await load('@modelcontextprotocol/sdk/client/stdio.js');
  const client = new Client({ name: 'bench-agent', version: '1' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [nexaBin, 'mcp'],
      env: { ...process.env, NEXA_SERVER: url, NEXA_TOKEN: token },
      stderr: 'ignore',
    }),
  );
  const call = async (name, args) => {
    const result = await client.callTool({ name, arguments: args });
    const text = result.content?.map((part) => part.text ?? '').join('') ?? '';
    if (result.isError) throw new Error(`${name}: ${text}`);
    return JSON.parse(text);
  };
  return { call, close: () => client.close() };
}

/**
 * B calls wait_for_reply, then (once its watch is surely open: a settle of 20 ms, outside the
 * clock) A calls post_message; from A's call to B's answer. after_seq is given, so a slow watch
 * still finds the message: the settle only keeps its opening out of the figure.
 */
async function roundTripsOverMcp(url, [a, b], runs) {
  const A = await mcpAgent(url, a.token);
  const B = await mcpAgent(url, b.token);
  try {
    const thread = await A.call('post_message', { body: 'bench: round trips over nexa mcp' });
    let lastSeq = thread.seq;
    const samples = [];
    let wrong = 0;
    for (let n = -10; n < runs; n++) {
      const waiting = B.call('wait_for_reply', {
        thread_id: thread.threadId,
        after_seq: lastSeq,
        timeout_seconds: 30,
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const sent = performance.now();
      const posted = await A.call('post_message', { thread_id: thread.threadId, body: body(n) });
      const got = await waiting;
      if (got.id !== posted.id) wrong++;
      lastSeq = posted.seq;
      if (n >= 0) samples.push(performance.now() - sent); // the first ten warm up
    }
    return { samples, intact: wrong === 0 };
  } finally {
    await A.close();
    await B.close();
  }
}

// ---- sustained posting ----

/** Every client posts one message after another until `seconds` pass; acks and their latencies. */
async function sustain(posters, seconds, post) {
  const latencies = [];
  const acked = new Array(posters.length).fill(0);
  let failures = 0;
  let firstFailure = null;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    posters.map(async (poster, index) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const sent = performance.now();
        try {
          await post(poster, n);
          latencies.push(performance.now() - sent);
          acked[index]++;
        } catch (error) {
          failures++;
          firstFailure ??= error;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const total = acked.reduce((sum, count) => sum + count, 0);
  return { perSecond: total / elapsed, total, acked, latencies, failures, firstFailure };
}

export async function benchMessages({ quick, runs: runsFlag, posters: postersFlag, seconds: secondsFlag }) {
  const runs = countFlag('runs', runsFlag, quick ? 50 : 500);
  const posterCount = countFlag('posters', postersFlag, 50);
  const seconds = countFlag('seconds', secondsFlag, quick ? 1 : 5);
  const rounds = quick ? 1 : 3;
  const stack = await startStack({ workers: [] });
  const bareServer = await startBare();
  let held;
  const open = [];
  try {
    held = await holdTasks(stack, posterCount + 2);
    const [a, b, ...agents] = held.assignments;
    const bare = createNexaClient({ server: bareServer.url, transport: 'websocket' });
    open.push(bare);
    const trips = await roundTrips(stack.url, [a, b], bare, runs);
    const viaMcp = await roundTripsOverMcp(stack.url, [a, b], Math.min(runs, quick ? 20 : 200));

    const nexaPosters = agents.map((assignment) => ({
      ...agentClient(stack.url, assignment.token),
      assignment,
    }));
    const barePosters = agents.map(() =>
      createNexaClient({ server: bareServer.url, transport: 'websocket' }),
    );
    open.push(...nexaPosters, ...barePosters);
    // Each connected (one call answered) before any clock starts.
    await Promise.all(nexaPosters.map((p) => p.client.threads.list.query({ limit: 1 })));
    await Promise.all(barePosters.map((p) => p.client.noop.mutate(null)));
    const postNexa = (poster, n) =>
      poster.client.threads.post.mutate({ threadId: poster.assignment.taskId, body: body(n) });
    const postBare = (poster, n) => poster.client.noop.mutate({ threadId: 't', body: body(n) });
    const phases = { nexa: [], bare: [] };
    for (let round = 0; round < rounds; round++) {
      phases.bare.push(await sustain(barePosters, seconds, postBare));
      phases.nexa.push(await sustain(nexaPosters, seconds, postNexa));
    }
    // Every acknowledged message is in its thread (the task's own thread held nothing before).
    const ackedPerThread = nexaPosters.map((_, index) =>
      phases.nexa.reduce((sum, phase) => sum + phase.acked[index], 0),
    );
    const stored = [];
    for (const p of nexaPosters)
      stored.push(await stack.client.threads.get.query({ threadId: p.assignment.taskId, limit: 1 }));
    const lost = stored.reduce(
      (sum, { thread }, index) => sum + Math.max(0, ackedPerThread[index] - thread.messages),
      0,
    );
    const failed = phases.nexa.reduce((sum, phase) => sum + phase.failures, 0);
    const firstFailure = phases.nexa.find((phase) => phase.firstFailure)?.firstFailure;
    const mean = (list, pick) => list.reduce((sum, item) => sum + pick(item), 0) / list.length;
    const nexaLatencies = phases.nexa.flatMap((phase) => phase.latencies);
    const bareLatencies = phases.bare.flatMap((phase) => phase.latencies);
    const perSecond = mean(phases.nexa, (phase) => phase.perSecond);
    const trip = (p) =>
      figure(`round trip A → coordinator → B's wait_for_reply p${p}`, {
        nexa: percentile(trips.samples.nexa, p),
        raw: percentile(trips.samples.bare, p),
        unit: 'ms',
      });
    const tripMcp = (p) =>
      figure(`the same through two nexa mcp processes (stdio) p${p}`, {
        nexa: percentile(viaMcp.samples, p),
        raw: percentile(trips.samples.bare, p),
        unit: 'ms',
      });
    const ack = (p) =>
      figure(`${posterCount} posting: post acknowledged p${p}`, {
        nexa: percentile(nexaLatencies, p),
        raw: percentile(bareLatencies, p),
        unit: 'ms',
      });
    return {
      name: 'messages',
      title: `Messages between agents with task tokens, beside a bare tRPC mutation (a server that only returns) on the same client stack: ${runs} round trips; ${posterCount} posters × ${rounds} rounds of ${seconds} s, interleaved`,
      rows: [
        trip(50),
        trip(99),
        tripMcp(50),
        tripMcp(99),
        figure(`${posterCount} posting: messages/s sustained`, {
          nexa: perSecond,
          raw: mean(phases.bare, (phase) => phase.perSecond),
          unit: '/s',
          better: 'higher',
          budget: '≫ 16.7/s (1,000 a minute)',
        }),
        ack(50),
        ack(99),
        figure('every acknowledged message stored; each round trip got the message posted', {
          nexa: lost === 0 && failed === 0 && trips.intact && viaMcp.intact ? 'yes' : 'NO',
          budget: 'yes',
        }),
      ],
      notes: [
        `${posterCount} posters: ${phases.nexa.reduce((sum, phase) => sum + phase.total, 0)} messages acknowledged, ${lost} of them missing from their threads, ${failed} posts refused${firstFailure ? ` (first: ${firstFailure.message})` : ''}; ${Math.round(perSecond * 60).toLocaleString('en-US')} messages a minute`,
      ],
      data: {
        runs,
        posters: posterCount,
        seconds,
        rounds,
        roundTrips: trips.samples,
        overMcp: viaMcp.samples,
        phases: phases.nexa.map((p) => p.perSecond),
        barePhases: phases.bare.map((p) => p.perSecond),
      },
    };
  } finally {
    for (const connection of open) await connection.close();
    await held?.close();
    await bareServer.close();
    await stack.close();
  }
}

if (process.argv[1] === thisScript && process.argv[2] === 'bare-server') await serveBare();
