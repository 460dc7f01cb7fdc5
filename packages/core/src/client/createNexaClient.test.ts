import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initTRPC } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { NexaError } from '../errors.js';
import { createNexaClient } from './createNexaClient.js';

interface Context {
  connectionParams: Record<string, string> | null;
}
const t = initTRPC.context<Context>().create();
const router = t.router({ params: t.procedure.query(({ ctx }) => ctx.connectionParams) });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A tRPC WebSocket server listening on a unix socket, as the worker's pipe to the coordinator looks to `nexa mcp`. */
async function serveOnUnixSocket(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nexa-unix-'));
  const socketPath = join(dir, 'mcp.sock');
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const handler = applyWSSHandler({
    wss,
    router,
    createContext: ({ info }) => ({
      connectionParams: (info.connectionParams as Record<string, string> | null) ?? null,
    }),
  });
  await new Promise<void>((resolve) => http.listen(socketPath, resolve));
  cleanups.push(async () => {
    handler.broadcastReconnectNotification();
    for (const socket of wss.clients) socket.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });
  return socketPath;
}

describe('createNexaClient', () => {
  it('reaches a coordinator through unix:/path.sock and sends its token and client name', async () => {
    const socketPath = await serveOnUnixSocket();
    const connection = createNexaClient<typeof router>({
      server: `unix:${socketPath}`,
      token: 'task-token',
      transport: 'websocket',
      client: 'mcp',
    });
    cleanups.push(() => connection.close());
    expect(await connection.client.params.query()).toEqual({ token: 'task-token', client: 'mcp' });
  });

  it('sends only the token when no client name is given', async () => {
    const socketPath = await serveOnUnixSocket();
    const connection = createNexaClient<typeof router>({
      server: `unix:${socketPath}`,
      token: 'a-token',
      transport: 'websocket',
    });
    cleanups.push(() => connection.close());
    expect(await connection.client.params.query()).toEqual({ token: 'a-token' });
  });

  it('refuses the http transport for a unix socket, saying it needs the websocket', () => {
    const make = () =>
      createNexaClient<typeof router>({ server: 'unix:/tmp/x.sock', token: 't', transport: 'http' });
    expect(make).toThrow(NexaError);
    expect(make).toThrow(/unix socket: it needs the websocket transport/);
  });
});
