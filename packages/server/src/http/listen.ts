import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { limits, NEXA_VERSION } from '@nexa/core';
import { TRPC_PATH } from '@nexa/core/config';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { createHttpContext, createWsContext } from '../context.js';
import { CoordinatorBusy } from '../limits/callQueue.js';
import { markConnection } from '../limits/connectionLimits.js';
import { RateLimited } from '../limits/rateLimits.js';
import { appRouter } from '../routers/index.js';
import type { Services } from '../services/index.js';
import { clientAddress } from './clientAddress.js';
import { createHttpGuards } from './httpGuards.js';
import { createHttpSubscriptionGuard } from './httpSubscriptions.js';
import { answerUnparsableRequests } from './unparsableRequests.js';

const LISTEN_BACKLOG = 4096;
const TLS_HANDSHAKE_MS = 10_000;

/** How long a refused call's client should wait before sending it again; null when it should not. */
function retryAfterSeconds(causes: readonly unknown[]): number | null {
  let seconds: number | null = null;
  for (const cause of causes) {
    const wait =
      cause instanceof RateLimited
        ? cause.retryAfterSeconds
        : cause instanceof CoordinatorBusy
          ? limits.load.retryAfterSeconds
          : null;
    if (wait !== null) seconds = Math.max(seconds ?? 0, wait);
  }
  return seconds;
}

/** The server's certificate chain and private key (PEM): the port then speaks https and wss only. */
export interface TlsIdentity {
  cert: string;
  key: string;
}

export interface Listening {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/**
 * One port for everything: `GET /healthz`, tRPC over HTTP under /trpc, and
 * the WebSocket upgrade (tRPC with subscriptions) on any path.
 */
export async function listen(
  services: Services,
  host: string,
  port: number,
  tls?: TlsIdentity,
): Promise<Listening> {
  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: `${TRPC_PATH}/`,
    createContext: async ({ req }) => {
      const context = await createHttpContext(services, req);
      markConnection(context.connection, 'http');
      return context;
    },
    maxBodySize: limits.wire.messageBytes,
    maxBatchSize: limits.wire.batchCalls,
    // Retry-After says "this never ran, send it again": only for calls that were shed or rate limited.
    responseMeta: ({ errors }) => {
      const seconds = retryAfterSeconds(errors.map((error) => error.cause));
      return seconds === null ? {} : { headers: { 'retry-after': String(seconds) } };
    },
  });
  const guards = createHttpGuards(TRPC_PATH);
  const subscriptionGuard = createHttpSubscriptionGuard(appRouter, TRPC_PATH);

  const answer = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, version: NEXA_VERSION }));
      return;
    }
    if (req.url?.startsWith(`${TRPC_PATH}/`)) {
      if (subscriptionGuard.refused(req, res) || guards.refused(req, res)) return;
      trpcHandler(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found: this is a Nexa coordinator; try /healthz\n');
  };
  // The same handler either way; with TLS the WebSocket upgrade below comes over it too (wss).
  // A handshake gets 10 s (Node's default is 120 s): a socket that never finishes one holds nothing for long.
  const server: Server = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key, handshakeTimeout: TLS_HANDSHAKE_MS }, answer)
    : createServer(answer);
  answerUnparsableRequests(server);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue: a burst of connections is answered (or shed with 503), not dropped unseen.
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });

  // Attached only once listening: a WebSocketServer re-emits its HTTP server's
  // errors, and a failed listen must surface as one error, not an unhandled event.
  // A bigger message closes its socket with 1009 before anything parses it.
  const wss = new WebSocketServer({ server, maxPayload: limits.wire.messageBytes });
  const wsHandler = applyWSSHandler({
    wss,
    router: appRouter,
    createContext: async ({ req, res, info }) => {
      const context = await createWsContext(
        services,
        res,
        (info.connectionParams as Record<string, string> | null) ?? null,
        clientAddress(req, services.options.trustedProxies),
      );
      markConnection(context.connection, 'ws');
      return context;
    },
    maxBatchSize: limits.wire.batchCalls,
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
