import type { AddressInfo } from 'node:net';
import { createTRPCClient, wsLink } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import { createWebSocketClient } from './webSocketClient.js';

const t = initTRPC.create();
const router = t.router({ echo: t.procedure.input(z.string()).mutation(({ input }) => input) });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const frames: string[] = [];
  wss.on('connection', (socket) => socket.on('message', (data) => frames.push(String(data))));
  const handler = applyWSSHandler({ wss, router });
  cleanups.push(() => {
    handler.broadcastReconnectNotification();
    return new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, frames };
}

describe('createWebSocketClient', () => {
  it('replaces the timer-based flush and still delivers every call', async () => {
    const { url } = await serve();
    const wsClient = createWebSocketClient({ url });
    cleanups.push(() => wsClient.close());
    const flush = (wsClient as unknown as { flushOutgoing: unknown }).flushOutgoing;
    expect(Object.hasOwn(wsClient, 'flushOutgoing')).toBe(true); // our override, not the prototype's
    expect(typeof flush).toBe('function');
    const client = createTRPCClient<typeof router>({ links: [wsLink({ client: wsClient })] });
    expect(await client.echo.mutate('one')).toBe('one');
  });

  it('still sends calls made in the same tick as one frame', async () => {
    const { url, frames } = await serve();
    const wsClient = createWebSocketClient({ url });
    cleanups.push(() => wsClient.close());
    const client = createTRPCClient<typeof router>({ links: [wsLink({ client: wsClient })] });
    await client.echo.mutate('warm-up');
    frames.length = 0;
    const results = await Promise.all([
      client.echo.mutate('a'),
      client.echo.mutate('b'),
      client.echo.mutate('c'),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    const requestFrames = frames.filter((frame) => frame.includes('"method"'));
    expect(requestFrames).toHaveLength(1);
    expect(JSON.parse(requestFrames[0] as string)).toHaveLength(3);
  });
});
