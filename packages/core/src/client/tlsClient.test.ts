import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { initTRPC } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { makeTlsFiles, type TlsFiles } from '../testing/tlsFiles.js';
import { createNexaClient, type Transport } from './createNexaClient.js';
import { toNexaError } from './errors.js';

const t = initTRPC.create();
const router = t.router({ hello: t.procedure.query(() => 'hello over tls') });

let files: TlsFiles;
let url: string;
let ca: string;
let otherCa: string;
let close: () => Promise<void>;

beforeAll(async () => {
  files = await makeTlsFiles();
  ({ ca, otherCa } = files.pem);
  const handler = createHTTPHandler({ router, basePath: '/trpc/' });
  const server = createServer({ cert: files.pem.cert, key: files.pem.key }, (req, res) => handler(req, res));
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
  await files?.cleanup();
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
