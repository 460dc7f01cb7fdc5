import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  type Daemon,
  type Home,
  makeHome,
  nexa,
  showTask,
  startServer,
  startWorker,
  workerToken,
} from './harness.js';

let home: Home;
let server: Daemon;
let worker: Daemon;
let url: string;
let admin: string;
beforeAll(async () => {
  home = await makeHome();
  // A short lease: a worker whose heartbeats were starved would be declared lost within the test.
  ({ daemon: server, url } = await startServer(home, ['--heartbeat', '1s', '--lease', '4s']));
  admin = await adminToken(home, url);
  worker = await startWorker(home, url, await workerToken(home, url), ['--name', 'steady']);
});
afterAll(async () => {
  await worker?.stop();
  await server?.stop();
  await home?.cleanup();
});

interface Answer {
  status: number;
  retryAfter?: string | undefined;
  body: string;
  ms: number;
}

/**
 * One call over its own connection, as 2,000 separate clients would make it; never rejects.
 * The generous timeout covers TCP itself on a loaded 2-core machine (a dropped SYN is
 * retried after 1, 2, 4, 8 and 16 s); whether the coordinator stalls is measured by
 * /healthz and by the typical answer's time below.
 */
function call(path: string, input: unknown, method: 'GET' | 'POST' = 'GET'): Promise<Answer> {
  const started = performance.now();
  const query = method === 'GET' ? `?input=${encodeURIComponent(JSON.stringify(input))}` : '';
  return new Promise((resolve) => {
    const req = request(
      `${url}/trpc/${path}${query}`,
      {
        method,
        agent: false,
        timeout: 60_000,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            body,
            ms: performance.now() - started,
          }),
        );
      },
    );
    let connectedAt: number | undefined;
    req.on('socket', (socket) =>
      socket.once('connect', () => {
        connectedAt = performance.now() - started;
      }),
    );
    req.on('timeout', () =>
      req.destroy(
        new Error(
          `no answer within 60 s (${connectedAt === undefined ? 'never connected' : `connected after ${Math.round(connectedAt)} ms`})`,
        ),
      ),
    );
    req.on('error', (error) => resolve({ status: 0, body: error.message, ms: performance.now() - started }));
    req.end(method === 'POST' ? JSON.stringify(input) : undefined);
  });
}

describe('many clients at once', () => {
  it('sheds 2,000 concurrent listings with "busy, retry" while a worker keeps its task and /healthz answers', async () => {
    // Listings that cost something: 300 queued tasks no worker can take.
    for (let i = 0; i < 300; i++) {
      const submitted = await call(
        'tasks.submit',
        { command: ['true'], labels: { pool: 'nowhere' } },
        'POST',
      );
      expect(submitted.status, submitted.body).toBe(200);
    }
    // A task streaming on the worker through the whole flood.
    const run = await nexa(home, [
      'run',
      '--detach',
      '--json',
      '--sandbox',
      'process',
      '--',
      'sh',
      '-c',
      'i=0; while [ $i -lt 150 ]; do echo line $i; i=$((i+1)); sleep 0.05; done',
    ]);
    const { id } = JSON.parse(run.stdout) as { id: string };

    const healthz: number[] = [];
    let flooding = true;
    const probe = (async () => {
      while (flooding) {
        const started = performance.now();
        await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(30_000) });
        healthz.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const answers = await Promise.all(
      Array.from({ length: 2000 }, () => call('tasks.list', { limit: 1000 })),
    );
    flooding = false;
    await probe;

    const unanswered = answers.filter((answer) => answer.status !== 200 && answer.status !== 503);
    expect(unanswered.slice(0, 3).map((answer) => `${answer.status} ${answer.body.slice(0, 300)}`)).toEqual(
      [],
    );
    const busy = answers.filter((answer) => answer.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]?.retryAfter).toBe('1');
    expect(JSON.parse(busy[0]?.body ?? '{}').error.data.nexa).toMatchObject({
      code: 'unavailable',
      message: 'the coordinator is busy',
    });
    const slowest = Math.max(...answers.map((answer) => answer.ms));
    console.log(
      `2,000 listings: ${answers.length - busy.length} served, ${busy.length} shed; slowest answer ${Math.round(slowest)} ms; /healthz slowest ${Math.round(Math.max(...healthz))} ms over ${healthz.length} probes`,
    );
    expect(Math.max(...healthz)).toBeLessThan(5000);
    const times = answers.map((answer) => answer.ms).sort((a, b) => a - b);
    expect(times[Math.floor(times.length / 2)]).toBeLessThan(5000);

    // The worker was never declared lost: its task ran once, to the end, every line in order.
    await expect.poll(async () => (await showTask(home, id)).status, { timeout: 60_000 }).toBe('succeeded');
    const task = await showTask(home, id);
    expect(task.attempt).toBe(1);
    expect(task.attempts.map((attempt) => attempt.status)).toEqual(['succeeded']);
    const logs = await nexa(home, ['logs', id]);
    expect(logs.stdout).toBe(Array.from({ length: 150 }, (_, i) => `line ${i}\n`).join(''));
    const workers = JSON.parse((await nexa(home, ['workers', 'list', '--json'])).stdout) as {
      status: string;
    }[];
    expect(workers.map((w) => w.status)).toEqual(['online']);
  }, 180_000);
});
