import { request } from 'node:http';
import { limits } from '@nexa/core';
import { TRPC_PATH } from '@nexa/core/config';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { taskEvents, tasks } from '../db/schema.js';
import { httpCall, nexaCode, RawSocket, startWireServer, type WireServer } from '../testing/wire.js';

let wire: WireServer;
let admin: string;
beforeEach(async () => {
  wire = await startWireServer();
  admin = await wire.token('admin');
});
afterEach(() => wire.close());

/** A finished task whose log holds `count` output events of `size` characters each. */
async function finishedTaskWithLog(count: number, size: number): Promise<string> {
  const { services } = wire.server;
  const task = await services.tasks.submit(
    (await import('@nexa/core')).TaskSpec.parse({ command: ['true'] }),
    { jti: 'x', role: 'admin', subject: 'test', projects: null },
  );
  const chunk = 'x'.repeat(size - 20);
  const rows = Array.from({ length: count }, (_, i) => {
    const seq = i + 1;
    const body =
      seq === count
        ? { kind: 'status', status: 'succeeded', exitCode: 0 }
        : { kind: 'output', stream: 'stdout', data: `${String(seq).padStart(8, '0')} ${chunk}` };
    return { taskId: task.id, seq, attempt: 1, kind: body.kind, body: JSON.stringify(body), at: seq };
  });
  await services.database.writes.run(async ({ db }) => {
    for (let i = 0; i < rows.length; i += 200) await db.insert(taskEvents).values(rows.slice(i, i + 200));
    await db.update(tasks).set({ status: 'succeeded', finishedAt: Date.now() }).where(eq(tasks.id, task.id));
  });
  return task.id;
}

async function healthzMs(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  return performance.now() - started;
}

describe('batches', () => {
  it('refuses a batch of 200 listings over HTTP with one clear error, fast', async () => {
    for (let i = 0; i < 20; i++)
      await httpCall(wire.url, 'tasks.submit', { token: admin, input: { command: ['true'] } });
    const paths = Array(200).fill('tasks.list').join(',');
    const input = JSON.stringify(
      Object.fromEntries(Array.from({ length: 200 }, (_, i) => [i, { limit: 1000 }])),
    );
    const started = performance.now();
    const response = await httpCall(wire.url, paths, {
      token: admin,
      query: `?batch=1&input=${encodeURIComponent(input)}`,
    });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(response.status).toBe(400);
    expect(nexaCode(response.body)).toBe('invalid_input');
    expect(JSON.stringify(response.body)).toContain(`at most ${limits.wire.batchCalls} calls`);
  });

  it('answers a batch within the cap', async () => {
    const response = await httpCall(wire.url, 'auth.whoami,auth.whoami,auth.whoami', {
      token: admin,
      query: `?batch=1&input=${encodeURIComponent('{}')}`,
    });
    expect(response.status).toBe(200);
    expect(response.body).toHaveLength(3);
  });

  it('refuses an oversized batch over WebSocket, answering every call', async () => {
    const socket = await RawSocket.open(wire.url, admin);
    const frames = Array.from({ length: 200 }, (_, i) => ({
      id: 1000 + i,
      method: 'query',
      params: { path: 'tasks.list', input: {} },
    }));
    socket.send(frames);
    await expect.poll(() => socket.strays.length, { timeout: 5000 }).toBe(200);
    expect(socket.strays.every((message) => message.error?.data?.nexa?.code === 'invalid_input')).toBe(true);
    expect(socket.strays[0]?.error?.data?.nexa?.message).toContain(`at most ${limits.wire.batchCalls} calls`);
    socket.close();
  });
});

describe('sizes', () => {
  it('refuses a command over the limit with invalid_input naming command and the limit', async () => {
    const response = await httpCall(wire.url, 'tasks.submit', {
      token: admin,
      input: { command: ['echo', 'x'.repeat(3 * 1024 * 1024)] },
    });
    expect(response.status).toBe(400);
    expect(nexaCode(response.body)).toBe('invalid_input');
    expect(response.body.error.data.nexa.message).toMatch(/command.*limit of 65536 characters/);
  });

  it('refuses a 50 MB request body with a typed 413 before reading it all', async () => {
    const body = Buffer.alloc(50 * 1024 * 1024, 'x');
    const { hostname, port } = new URL(wire.url);
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          hostname,
          port,
          method: 'POST',
          path: `${TRPC_PATH}/tasks.submit`,
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(answer.status).toBe(413);
    const envelope = JSON.parse(answer.text);
    expect(nexaCode(envelope)).toBe('invalid_input');
    expect(envelope.error.data.nexa.message).toContain(`${limits.wire.messageBytes} bytes`);
    expect(await healthzMs(wire.url)).toBeLessThan(1000);
  });

  it('closes a WebSocket whose message is over the limit with 1009, and carries on', async () => {
    const socket = await RawSocket.open(wire.url, admin);
    socket.send(Buffer.alloc(limits.wire.messageBytes + 1024, 'x').toString());
    expect((await socket.closed).code).toBe(1009);
    expect(await healthzMs(wire.url)).toBeLessThan(1000);
  });
});

describe('listings', () => {
  it('caps tasks.list, approvals.list and events.list at a sane number of rows', async () => {
    for (const [path, input] of [
      ['tasks.list', { limit: limits.listing.rows + 1 }],
      ['approvals.list', { limit: limits.listing.rows + 1 }],
      ['events.list', { taskId: 't', limit: limits.listing.rows + 1 }],
    ] as const) {
      const response = await httpCall(wire.url, path, {
        token: admin,
        query: `?input=${encodeURIComponent(JSON.stringify(input))}`,
      });
      expect(response.status, path).toBe(400);
      expect(nexaCode(response.body), path).toBe('invalid_input');
    }
  });

  it('pages a large log by bytes, not only by count', async () => {
    const taskId = await finishedTaskWithLog(300, 16 * 1024);
    const response = await httpCall(wire.url, 'events.list', {
      token: admin,
      query: `?input=${encodeURIComponent(JSON.stringify({ taskId, limit: 1000 }))}`,
    });
    expect(response.status).toBe(200);
    const page = response.body.result.data as { seq: number }[];
    expect(page.length).toBeGreaterThan(0);
    expect(page.length).toBeLessThan(300);
    expect(JSON.stringify(page).length).toBeLessThan(limits.listing.eventPageBytes + 64 * 1024);
    expect(page.map((event) => event.seq)).toEqual(page.map((_, i) => i + 1));
  });
});

describe('subscriptions', () => {
  it('refuses the 65th subscription on one socket with a typed error', async () => {
    const { id: taskId } = (
      await httpCall(wire.url, 'tasks.submit', { token: admin, input: { command: ['true'] } })
    ).body.result.data;
    const socket = await RawSocket.open(wire.url, admin);
    // biome-ignore lint/suspicious/noExplicitAny: raw JSON-RPC frames
    const first: Record<number, any> = {};
    for (let i = 0; i < 100; i++) {
      socket.subscribe('events.tail', { taskId }, (message) => {
        first[i] ??= message;
      });
    }
    await expect.poll(() => Object.keys(first).length, { timeout: 10_000 }).toBe(100);
    const refused = Object.values(first).filter((message) => message.error);
    expect(refused).toHaveLength(100 - limits.wire.subscriptionsPerConnection);
    expect(refused[0].error.data.nexa.code).toBe('invalid_input');
    expect(refused[0].error.data.nexa.message).toContain(
      `${limits.wire.subscriptionsPerConnection} subscriptions`,
    );
    socket.close();
  });

  it('lets a fleet that shares one worker token connect more workers than the per-token subscription cap', async () => {
    const token = await wire.token('worker', 'shared-fleet-token');
    const workers = limits.wire.subscriptionsPerPrincipal + 4;
    const sockets = await Promise.all(Array.from({ length: workers }, () => RawSocket.open(wire.url, token)));
    const answers: Record<number, { error?: unknown }> = {};
    sockets.forEach((socket, i) => {
      socket.subscribe(
        'workers.connect',
        {
          name: `fleet-${i}`,
          instanceId: `instance-${i}`,
          capacity: 1,
          version: 't',
          sandboxes: ['process'],
          agents: ['shell'],
        },
        (message) => {
          answers[i] ??= message;
        },
      );
    });
    await expect.poll(() => Object.keys(answers).length, { timeout: 30_000 }).toBe(workers);
    expect(Object.values(answers).filter((message) => message.error)).toEqual([]);
    for (const socket of sockets) socket.close();
  }, 60_000);

  it('bounds what a paused reader costs, then delivers every event in order exactly once', async () => {
    const events = 500;
    const taskId = await finishedTaskWithLog(events, 8 * 1024);
    const socket = await RawSocket.open(wire.url, admin);
    await socket.call('query', 'auth.whoami');
    socket.pauseReading();
    const tails = 48;
    const seen: number[][] = Array.from({ length: tails }, () => []);
    const stopped: boolean[] = [];
    for (let i = 0; i < tails; i++) {
      socket.subscribe('events.tail', { taskId }, (message) => {
        const data = message.result?.data;
        if (message.result?.type === 'stopped') stopped[i] = true;
        else if (data?.id) seen[i]?.push(Number(data.id));
        else if (message.error) throw new Error(JSON.stringify(message.error));
      });
    }
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const grown = process.memoryUsage().heapUsed - before;
    // A paused socket costs its buffer plus one small page per tail: far below one log per tail (48 × 4 MB).
    expect(grown).toBeLessThan(120 * 1024 * 1024);
    expect(await healthzMs(wire.url)).toBeLessThan(1000);
    socket.resumeReading();
    await expect.poll(() => stopped.filter(Boolean).length, { timeout: 60_000, interval: 200 }).toBe(tails);
    const expected = Array.from({ length: events }, (_, i) => i + 1);
    for (const tail of seen) expect(tail).toEqual(expected);
    socket.close();
  }, 90_000);
});

describe('Retry-After', () => {
  it('is only on calls that were shed: another unavailable may have run, and must not be resent blindly', async () => {
    const worker = await wire.token('worker');
    // Over HTTP no worker session is open: unavailable, but not because the coordinator is busy.
    const answer = await httpCall(wire.url, 'workers.heartbeat', { token: worker, input: { running: [] } });
    expect(answer.status).toBe(503);
    expect(nexaCode(answer.body)).toBe('unavailable');
    expect(answer.headers.get('retry-after')).toBeNull();
  });
});
