import { maxHeaderSize } from 'node:http';
import { connect } from 'node:net';
import { TRPC_PATH } from '@nexa/core/config';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpCall, nexaCode, startWireServer, type WireServer } from '../testing/wire.js';

/** Found by the hostile-input suite (packages/cli/e2e/hostileInput.test.ts): answers that were not typed JSON. */

let wire: WireServer;
let admin: string;
beforeEach(async () => {
  wire = await startWireServer();
  admin = await wire.token('admin');
});
afterEach(() => wire.close());

/** Sends raw bytes and reads everything back until the server closes (never throws on a reset). */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    // Half-open, as an HTTP client still writing its request is: the server's FIN does not end our writes.
    const socket = connect({ port: Number(port), host: hostname, allowHalfOpen: true });
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('error', () => resolve(text));
    socket.on('close', () => resolve(text));
    socket.end(bytes);
  });
}

/**
 * Sends headers declaring `length` bytes, then dribbles 80 KiB of body as a slow
 * client would; returns what came back and any socket error (a reset shows here).
 */
async function dribble(path: string, length: number, token?: string) {
  const { hostname, port } = new URL(wire.url);
  const socket = connect({ port: Number(port), host: hostname, allowHalfOpen: true });
  let text = '';
  const errors: string[] = [];
  socket.on('data', (chunk) => {
    text += chunk.toString();
  });
  socket.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
  const pause = () => new Promise((resolve) => setTimeout(resolve, 100));
  const auth = token ? `authorization: Bearer ${token}\r\n` : '';
  socket.write(
    `POST ${TRPC_PATH}/${path} HTTP/1.1\r\nHost: x\r\n${auth}content-type: application/json\r\ncontent-length: ${length}\r\n\r\n`,
  );
  for (let i = 0; i < 5; i++) {
    await pause();
    socket.write('x'.repeat(16 * 1024));
  }
  await pause();
  socket.destroy();
  return { text, errors };
}

describe('subscriptions over HTTP', () => {
  it.each([
    ['GET', 'approvals.watch'],
    ['POST', 'approvals.watch'],
    ['GET', 'events.tail?input=%7B%22taskId%22%3A%22t-x%22%7D'],
    ['GET', 'workers.connect'],
  ] as const)(
    '%s %s is refused with a typed 400 JSON error, not a 200 event stream',
    async (method, path) => {
      const response = await httpCall(wire.url, path, {
        token: admin,
        method,
        rawBody: method === 'POST' ? '{}' : undefined,
      });
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(response.status).toBe(400);
      expect(nexaCode(response.body)).toBe('invalid_input');
      expect(response.body.error.data.nexa.message).toContain('WebSocket');
    },
  );

  it('a client still sending its body reads the refusal, without a reset', async () => {
    const { text, errors } = await dribble('approvals.watch', 5 * 16 * 1024);
    expect(errors).toEqual([]);
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('is refused the same way without a token', async () => {
    const response = await httpCall(wire.url, 'approvals.watch', {});
    expect(response.status).toBe(400);
    expect(nexaCode(response.body)).toBe('invalid_input');
  });
});

describe('requests Node cannot parse', () => {
  it('a URL over the header limit gets a typed 431 naming the limit', async () => {
    const path = `${TRPC_PATH}/tasks.list?input=${'%5B'.repeat(maxHeaderSize / 2)}`;
    const text = await rawExchange(wire.url, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
    const envelope = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
    expect(nexaCode(envelope)).toBe('invalid_input');
    expect(envelope.error.data.nexa.message).toContain(`${maxHeaderSize} bytes`);
  });

  it('a client still sending its oversized URL after the 431 is not reset: it reads the answer and a clean close', async () => {
    const { hostname, port } = new URL(wire.url);
    // Half-open, as an HTTP client still writing its request is: the server's FIN does not end our writes.
    const socket = connect({ port: Number(port), host: hostname, allowHalfOpen: true });
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    const errors: string[] = [];
    socket.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
    const pause = () => new Promise((resolve) => setTimeout(resolve, 100));
    socket.write(`GET ${TRPC_PATH}/tasks.list?input=${'x'.repeat(maxHeaderSize + 1024)}`);
    for (let i = 0; i < 5; i++) {
      await pause();
      socket.write('x'.repeat(64 * 1024));
    }
    socket.end(' HTTP/1.1\r\nHost: x\r\n\r\n');
    await pause();
    expect(errors).toEqual([]);
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('a request line that is not HTTP gets a typed 400', async () => {
    const text = await rawExchange(wire.url, 'HELLO\u0000 WORLD\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(nexaCode(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)))).toBe('invalid_input');
  });
});

describe('refusals before the body is read', () => {
  it('a body declared over the limit: the client still sending reads a typed 413, without a reset', async () => {
    const { text, errors } = await dribble('tasks.submit', 5 * 1024 * 1024, admin);
    expect(errors).toEqual([]);
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toContain('"code":"invalid_input"');
  });

  it('a batch over the cap: the client still sending reads a typed 400, without a reset', async () => {
    const batch = Array.from({ length: 20 }, () => 'tasks.submit').join(',');
    const { text, errors } = await dribble(`${batch}?batch=1`, 200_000, admin);
    expect(errors).toEqual([]);
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).toContain('a batch may hold at most 16 calls');
  });
});
