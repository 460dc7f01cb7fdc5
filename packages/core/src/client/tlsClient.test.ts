import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initTRPC } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createNexaClient, type Transport } from './createNexaClient.js';
import { toNexaError } from './errors.js';

const t = initTRPC.create();
const router = t.router({ hello: t.procedure.query(() => 'hello over tls') });

let dir: string;
let url: string;
let ca: string;
let otherCa: string;
let close: () => Promise<void>;

/** A CA, another CA, and a certificate for 127.0.0.1 the first one signed (openssl, as the README does it). */
async function makeCertificates(): Promise<{ cert: string; key: string }> {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=test-ca');
  openssl('req', '-x509', ...ec, '-keyout', 'o.key', '-out', 'o.crt', '-days', '2', '-subj', '/CN=other');
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=server');
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'server.ext',
    '-out',
    'server.crt',
  );
  [ca, otherCa] = await Promise.all([
    readFile(join(dir, 'ca.crt'), 'utf8'),
    readFile(join(dir, 'o.crt'), 'utf8'),
  ]);
  const [cert, key] = await Promise.all([
    readFile(join(dir, 'server.crt'), 'utf8'),
    readFile(join(dir, 'server.key'), 'utf8'),
  ]);
  return { cert, key };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nexa-tls-client-'));
  const handler = createHTTPHandler({ router, basePath: '/trpc/' });
  const server = createServer(await makeCertificates(), (req, res) => handler(req, res));
  const wss = new WebSocketServer({ server });
  const ws = applyWSSHandler({ wss, router });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = async () => {
    ws.broadcastReconnectNotification();
    for (const socket of wss.clients) socket.terminate();
    wss.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
});
afterAll(async () => {
  await close?.();
  await rm(dir, { recursive: true, force: true });
});

describe.each<Transport>(['http', 'websocket'])('a client over %s to an https server', (transport) => {
  it('trusts it with its CA', async () => {
    const nexa = createNexaClient<typeof router>({ server: url, transport, ca });
    try {
      expect(await nexa.client.hello.query()).toBe('hello over tls');
    } finally {
      await nexa.close();
    }
  });

  it.each([
    ['no CA', undefined],
    ['another CA', 'other'],
  ])('with %s: the call fails with the one line, at once', async (_, which) => {
    const nexa = createNexaClient<typeof router>({ server: url, transport, ca: which ? otherCa : undefined });
    try {
      const failure = await nexa.client.hello.query().then(
        () => undefined,
        (error: unknown) => toNexaError(error, url),
      );
      expect(failure).toMatchObject({
        code: 'config',
        exitCode: 125,
        message: expect.stringMatching(
          /^the server's certificate is not trusted \(.+\): pass its CA with --ca FILE$/,
        ),
      });
      // A WebSocket gives up for good instead of retrying what no retry can fix.
      if (transport === 'websocket') expect(nexa.connection.state).toBe('refused');
    } finally {
      await nexa.close();
    }
  });
});
