import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NEXA_VERSION } from '@nexa/core';
import { TRPC_PATH } from '@nexa/core/config';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { createHttpContext, createWsContext } from '../context.js';
import { appRouter } from '../routers/index.js';
import type { Services } from '../services/index.js';

export interface Listening {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/**
 * One port for everything: `GET /healthz`, tRPC over HTTP under /trpc, and
 * the WebSocket upgrade (tRPC with subscriptions) on any path.
 */
export async function listen(services: Services, host: string, port: number): Promise<Listening> {
  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: `${TRPC_PATH}/`,
    createContext: ({ req }) => createHttpContext(services, req),
  });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, version: NEXA_VERSION }));
      return;
    }
    if (req.url?.startsWith(`${TRPC_PATH}/`)) {
      trpcHandler(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found: this is a Nexa coordinator; try /healthz\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  // Attached only once listening: a WebSocketServer re-emits its HTTP server's
  // errors, and a failed listen must surface as one error, not an unhandled event.
  const wss = new WebSocketServer({ server, maxPayload: 16 * 1024 * 1024 });
  const wsHandler = applyWSSHandler({
    wss,
    router: appRouter,
    createContext: ({ res, info }) =>
      createWsContext(services, res, (info.connectionParams as Record<string, string> | null) ?? null),
    keepAlive: { enabled: true, pingMs: 10_000, pongWaitMs: 5_000 },
  });

  return {
    server,
    port: (server.address() as AddressInfo).port,
    async close() {
      wsHandler.broadcastReconnectNotification();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
