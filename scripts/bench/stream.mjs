// Output lines per second end to end (worker → coordinator → database → subscriber) with 1, 10,
// 100 and 1,000 tasks streaming at once (quick: 1 and 10), each printing its lines as fast as it
// can (`seq`), every task tailed by a subscriber that checks each line arrives once and in order.
// Beside it, in the same run and alternating step by step, a bare `ws` relay carrying the same
// lines one message per line (wsRelay.mjs: producers in one process, the relay in another, the
// consumer here). Budget (DESIGN.md): Nexa ≥ 1× the bare relay at every concurrency, zero loss,
// zero duplicates. Nexa's time runs from the first submit (so it includes dispatch); the relay's
// from the go signal to connected producers.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createNexaClient } from '@nexa/core/client';
import { countFlag, countsFlag } from './flags.mjs';
import { figure } from './result.mjs';
import { startStack } from './stack.mjs';

const { WebSocket } = createRequire(new URL('../../packages/core/package.json', import.meta.url))('ws');
const relayScript = fileURLToPath(new URL('./wsRelay.mjs', import.meta.url));

export const streamFlags = { tasks: { type: 'string' }, lines: { type: 'string' } };

// The coordinator allows 64 subscriptions on one WebSocket and 256 per principal.
const tailsPerClient = 60;
const workerCapacity = 250;

/** Checks one task's lines (1..count, each once, in order) as they arrive in any chunking. */
function lineChecker(count) {
  let next = 1;
  let partial = '';
  let wrong = 0;
  return {
    add(text) {
      const parts = (partial + text).split('\n');
      partial = parts.pop();
      for (const part of parts) if (Number(part) !== next++) wrong++;
    },
    get intact() {
      return wrong === 0 && partial === '' && next === count + 1;
    },
    get lines() {
      return next - 1;
    },
  };
}

function firstLine(stream) {
  return once(createInterface({ input: stream }), 'line').then(([line]) => line);
}

async function viaRelay(tasks, linesEach) {
  const relay = spawn(process.execPath, [relayScript, 'relay'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let producers;
  try {
    const url = `ws://127.0.0.1:${await firstLine(relay.stdout)}`;
    const consumer = new WebSocket(`${url}/consume`);
    await once(consumer, 'open');
    producers = spawn(process.execPath, [relayScript, 'produce', url, String(tasks), String(linesEach)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    await firstLine(producers.stdout);
    const checkers = Array.from({ length: tasks }, () => lineChecker(linesEach));
    const total = tasks * linesEach;
    let received = 0;
    const done = new Promise((resolve) =>
      consumer.on('message', (message) => {
        const { task, data } = JSON.parse(message);
        checkers[task].add(data);
        if (++received === total) resolve();
      }),
    );
    const started = performance.now();
    producers.stdin.write('go\n');
    await done;
    const seconds = (performance.now() - started) / 1000;
    consumer.close();
    return { seconds, lines: total, messages: received, intact: checkers.every((c) => c.intact) };
  } finally {
    producers?.kill();
    relay.kill();
  }
}

/** Tails one task to its end, checking event seqs (no gap, no repeat) and lines. */
function tail(client, taskId, linesEach, progress) {
  const lines = lineChecker(linesEach);
  let lastSeq = 0;
  let seqsIntact = true;
  let ending = 'no final status';
  return new Promise((resolve, reject) => {
    const subscription = client.events.tail.subscribe(
      { taskId },
      {
        onData: ({ data }) => {
          if (data.seq !== lastSeq + 1) seqsIntact = false;
          lastSeq = data.seq;
          progress.events++;
          if (data.kind === 'output' && data.stream === 'stdout') lines.add(data.data);
          if (data.kind === 'status') ending = `${data.status}${data.reason ? ` (${data.reason})` : ''}`;
          if (data.kind === 'error') ending = `error: ${data.message}`;
        },
        onError: (error) => {
          subscription.unsubscribe();
          reject(error);
        },
        onComplete: () =>
          resolve({ taskId, intact: seqsIntact && lines.intact, seqsIntact, lines: lines.lines, ending }),
      },
    );
  });
}

async function viaNexa(stack, subscribers, tasks, linesEach) {
  const progress = { events: 0 };
  // Subscribers connect before the clock starts: the relay's consumer is connected before its "go" too.
  for (let c = 0; c * tailsPerClient < tasks; c++) await subscribers.client(c);
  const started = performance.now();
  const tails = [];
  for (let i = 0; i < tasks; i += 10) {
    const group = await Promise.all(
      Array.from({ length: Math.min(10, tasks - i) }, () =>
        stack.client.tasks.submit.mutate({ command: ['seq', '1', String(linesEach)], sandbox: 'process' }),
      ),
    );
    for (const [j, task] of group.entries()) {
      const client = await subscribers.client(Math.floor((i + j) / tailsPerClient));
      const ended = tail(client, task.id, linesEach, progress);
      ended.catch(() => {}); // awaited below, with the others; a failure must not end the process first
      tails.push(ended);
    }
  }
  const ends = await Promise.all(tails);
  const seconds = (performance.now() - started) / 1000;
  const broken = ends.filter((end) => !end.intact);
  return {
    seconds,
    broken: broken.length,
    // What the person would see of a task that lost lines: how it ended.
    brokenExample: broken[0] && {
      ...broken[0],
      endings: [...new Set(broken.map((end) => end.ending))].slice(0, 5),
    },
    lines: ends.reduce((sum, end) => sum + end.lines, 0),
    events: progress.events,
    intact: ends.every((end) => end.intact),
  };
}

/** Subscriber connections, each with its own token (the coordinator bounds tails per principal). */
function subscriberPool(stack) {
  const clients = [];
  return {
    async client(index) {
      while (clients.length <= index) {
        const { token } = await stack.client.tokens.create.mutate({ role: 'admin' });
        const connection = createNexaClient({ server: stack.url, token, transport: 'websocket' });
        // Calls made before the socket opens go out as one batch, and the coordinator takes at
        // most 16 in one: open it with a single call first.
        await connection.client.auth.whoami.query();
        clients.push(connection);
      }
      return clients[index].client;
    },
    async close() {
      for (const { close } of clients) await close();
    },
  };
}

export async function benchStream({ quick, tasks, lines }) {
  const steps = countsFlag('tasks', tasks, quick ? [1, 10] : [1, 10, 100, 1000]);
  const linesPerStep = countFlag('lines', lines, quick ? 100_000 : 500_000);
  const most = Math.max(...steps);
  const workers = Array.from({ length: Math.ceil(most / workerCapacity) }, (_, i) => `stream-${i}`);
  const stack = await startStack({ capacity: Math.min(most, workerCapacity), workers });
  const subscribers = subscriberPool(stack);
  const results = [];
  try {
    await viaNexa(stack, subscribers, 1, 100); // warm up: JIT, the database, the first spawn
    for (const count of steps) {
      const linesEach = Math.max(100, Math.round(linesPerStep / count));
      const raw = await viaRelay(count, linesEach);
      const nexa = await viaNexa(stack, subscribers, count, linesEach);
      results.push({ tasks: count, linesEach, nexa, raw });
    }
  } finally {
    await subscribers.close();
    await stack.close();
  }
  const rate = (run) => run.lines / run.seconds;
  return {
    name: 'stream',
    title: `Stream: lines per second end to end (persisted, tailed), tasks printing at once, beside a bare ws relay sending one message per line (${workers.length} worker${workers.length > 1 ? 's' : ''}; ~${linesPerStep.toLocaleString('en-US')} lines per step)`,
    rows: [
      ...results.map((step) =>
        figure(
          `${step.tasks} task${step.tasks > 1 ? 's' : ''} × ${step.linesEach.toLocaleString('en-US')} lines`,
          {
            nexa: rate(step.nexa),
            raw: rate(step.raw),
            unit: 'lines/s',
            better: 'higher',
            budget: '≥ 1×',
          },
        ),
      ),
      figure('every line once, in order (all steps)', {
        nexa: results.every((step) => step.nexa.intact) ? 'yes' : 'NO',
        raw: results.every((step) => step.raw.intact) ? 'yes' : 'NO',
        budget: 'yes',
      }),
    ],
    notes: [
      ...results
        .filter((step) => step.nexa.broken)
        .map(
          (step) =>
            `${step.tasks} tasks: ${step.nexa.broken} did not deliver every line once in order; e.g. ${step.nexa.brokenExample.taskId}: ${step.nexa.brokenExample.lines} of ${step.linesEach} lines, seqs ${step.nexa.brokenExample.seqsIntact ? 'contiguous' : 'with a gap or repeat'}; endings: ${step.nexa.brokenExample.endings.join('; ')}`,
        ),
      ...results.map(
        (step) =>
          `${step.tasks} task${step.tasks > 1 ? 's' : ''}: nexa carried ${step.nexa.lines.toLocaleString('en-US')} lines in ${step.nexa.events.toLocaleString('en-US')} events (${step.nexa.seconds.toFixed(2)} s), the relay in ${step.raw.messages.toLocaleString('en-US')} messages (${step.raw.seconds.toFixed(2)} s)`,
      ),
    ],
    data: { steps: results },
  };
}
