import type { AddressInfo } from 'node:net';
import { initTRPC } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import { NexaError } from '../errors.js';
import type { ConnectionObserver, ConnectionState } from './connectionState.js';
import { createNexaClient } from './createNexaClient.js';
import { toNexaError } from './errors.js';

const t = initTRPC.create({
  // As the coordinator does: the NexaError travels in the error's data.
  errorFormatter: ({ shape, error }) => ({
    ...shape,
    data: {
      ...shape.data,
      nexa:
        error.cause instanceof NexaError ? { code: error.cause.code, message: error.cause.message } : null,
    },
  }),
});
const router = t.router({
  echo: t.procedure.input(z.string()).mutation(({ input }) => input),
  refuse: t.procedure.query(() => {
    throw new NexaError('unauthorized', 'the token has been revoked');
  }),
  ticks: t.procedure.subscription(async function* (opts) {
    yield 'first';
    await new Promise((resolve) => opts.signal?.addEventListener('abort', resolve));
  }),
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A coordinator stand-in on a fixed port that can be stopped and started again. */
async function serve(port = 0) {
  const wss = new WebSocketServer({ port, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const handler = applyWSSHandler({ wss, router });
  let stopped = false;
  const stop = () => {
    if (stopped) return Promise.resolve();
    stopped = true;
    handler.broadcastReconnectNotification = () => {};
    for (const socket of wss.clients) socket.terminate();
    return new Promise<void>((resolve) => wss.close(() => resolve()));
  };
  cleanups.push(stop);
  const address = wss.address() as AddressInfo;
  return { wss, port: address.port, url: `http://127.0.0.1:${address.port}`, stop };
}

function client(url: string) {
  const nexa = createNexaClient<typeof router>({ server: url, token: 't', transport: 'websocket' });
  cleanups.push(() => nexa.close());
  return nexa;
}

/** Every state the observer reports, and a wait for the next time it reaches one. */
function follow(connection: ConnectionObserver) {
  const seen: ConnectionState[] = [connection.state];
  connection.subscribe((state) => seen.push(state));
  const reach = (wanted: ConnectionState) =>
    new Promise<void>((resolve) => {
      if (connection.state === wanted) return resolve();
      const stop = connection.subscribe((state) => {
        if (state !== wanted) return;
        stop();
        resolve();
      });
    });
  return { seen, reach };
}

const nextConnection = (wss: WebSocketServer) =>
  new Promise<WebSocket>((resolve) => wss.once('connection', resolve));

describe('the connection state a client reports', () => {
  it('is connected once open, reconnecting while the server is gone, connected again when it is back', async () => {
    const first = await serve();
    const { client: api, connection } = client(first.url);
    const { seen, reach } = follow(connection);
    await reach('connected');
    expect(await api.echo.mutate('hello')).toBe('hello');

    await first.stop();
    await reach('reconnecting');

    const second = await serve(first.port);
    await reach('connected');
    expect(await api.echo.mutate('again')).toBe('again');
    expect(second.wss.clients.size).toBe(1);
    expect(seen).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  });

  it('is refused for good when the server ends the token (close 4001), and says how to fix it', async () => {
    const server = await serve();
    const opened = nextConnection(server.wss);
    const { client: api, connection } = client(server.url);
    const { reach } = follow(connection);
    const failure = new Promise<unknown>((resolve) => {
      api.ticks.subscribe(undefined, { onError: resolve, onComplete: () => resolve('completed') });
    });
    await reach('connected');
    const socket = await opened;
    let reconnected = false;
    server.wss.on('connection', () => {
      reconnected = true;
    });

    socket.close(4001, 'token revoked');
    await reach('refused');
    expect(connection.refusal?.code).toBe('unauthorized');
    expect(connection.refusal?.toLine()).toMatch(
      /refused the token: the token has been revoked; pass a valid one with --token or NEXA_TOKEN/,
    );
    // The open subscription fails with the refusal instead of completing as if the task were done.
    const error = toNexaError(await failure, server.url);
    expect(error).toBeInstanceOf(NexaError);
    expect((error as NexaError).code).toBe('unauthorized');

    // A reconnect would come within the first retry delay (at most 250 ms): give it twice that.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(reconnected).toBe(false);
    expect(connection.state).toBe('refused');
  });

  it('is refused when the server answers unauthorized, and other open calls fail the same way', async () => {
    const server = await serve();
    const { client: api, connection } = client(server.url);
    const { reach } = follow(connection);
    const subscription = new Promise<unknown>((resolve) => {
      api.ticks.subscribe(undefined, { onError: resolve, onComplete: () => resolve('completed') });
    });
    await reach('connected');
    const answered = await api.refuse.query().catch((error: unknown) => error);
    expect(toNexaError(answered, server.url)).toMatchObject({
      code: 'unauthorized',
      message: `the server at ${server.url} refused the token: the token has been revoked`,
    });
    expect(connection.state).toBe('refused');
    expect(connection.refusal?.hint).toMatch(/nexa token create/);
    expect(toNexaError(await subscription, server.url)).toMatchObject({ code: 'unauthorized' });
  });
});
