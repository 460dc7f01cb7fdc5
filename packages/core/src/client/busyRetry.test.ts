import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { retryWhenBusy } from './busyRetry.js';

const servers: ReturnType<typeof createServer>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A server that sheds the first `busy` requests (503 + Retry-After, or a plain 503), then answers. */
async function serve(busy: number, retryAfter: string | null) {
  let seen = 0;
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      bodies.push(body);
      if (seen++ < busy) {
        res.writeHead(503, retryAfter === null ? {} : { 'retry-after': retryAfter });
        res.end('busy');
      } else res.end('ok');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, bodies, seen: () => seen };
}

const noWait = async () => {};

describe('calls the coordinator shed', () => {
  it('are sent again, body and all, until they are answered', async () => {
    const { url, bodies } = await serve(2, '1');
    const response = await retryWhenBusy(fetch, noWait)(url, { method: 'POST', body: '{"a":1}' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    expect(bodies).toEqual(['{"a":1}', '{"a":1}', '{"a":1}']);
  });

  it('give up after three retries and hand the busy answer on', async () => {
    const { url, seen } = await serve(10, '1');
    const response = await retryWhenBusy(fetch, noWait)(url);
    expect(response.status).toBe(503);
    expect(seen()).toBe(4);
  });

  it('are not retried when the 503 does not say when to come back (it may have run)', async () => {
    const { url, seen } = await serve(10, null);
    expect((await retryWhenBusy(fetch, noWait)(url)).status).toBe(503);
    expect(seen()).toBe(1);
  });
});
