import type { SecureContext } from 'node:tls';
import { createTRPCClient, httpLink, splitLink, type TRPCClient, type TRPCLink, wsLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { isUnixServer, trpcHttpUrl, webSocketUrl } from '../config/index.js';
import { NexaError } from '../errors.js';
import { retryWhenBusy } from './busyRetry.js';
import {
  type ConnectionObserver,
  TOKEN_ENDED_CLOSE_CODE,
  tokenEndReason,
  watchConnection,
} from './connectionState.js';
import { fetchTrusting } from './httpsFetch.js';
import { reconnectDelay } from './reconnectDelay.js';
import { refusalLink } from './refusalLink.js';
import { notTls, trustingCa, untrustedCertificate } from './tlsTrust.js';
import { createWebSocketClient } from './webSocketClient.js';

/**
 * How calls reach the coordinator.
 * - `http`: queries and mutations over HTTP (a call the coordinator shed is
 *   sent again), subscriptions over a WebSocket opened by the first one and
 *   closed when none is left: a command that only asks never holds a socket.
 * - `websocket`: everything over one WebSocket, opened at once and kept:
 *   a daemon, a live screen, a bench.
 */
export type Transport = 'http' | 'websocket';

export interface NexaClientOptions {
  /** The coordinator's URL as a person gives it (http(s)://host:port), or `unix:/abs/path.sock` (websocket only). */
  server: string;
  token?: string | undefined;
  transport: Transport;
  /** What this client is ("cli", "tui", "mcp", "worker"): the coordinator shows it in `nexa who`. */
  client?: string | undefined;
  /** Ping the coordinator so a network that drops silently is noticed (a daemon wants this). */
  keepAlive?: boolean;
  /** PEM certificate(s) of a CA trusted for an https/wss server, besides the system's (a private CA). */
  ca?: string | undefined;
}

export interface NexaConnection<TRouter extends AnyRouter> {
  client: TRPCClient<TRouter>;
  /** The WebSocket's state: connecting, connected, reconnecting, or refused (token). */
  connection: ConnectionObserver;
  close(): Promise<void>;
}

/** Queries and mutations over HTTP: how long to wait for an answer before calling the server unreachable. */
const REQUEST_TIMEOUT_MS = 15_000;

const withTimeout =
  (fetcher: typeof fetch): typeof fetch =>
  (input, init) =>
    fetcher(input, {
      ...init,
      signal: init?.signal
        ? AbortSignal.any([init.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)])
        : AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });

/**
 * A client for one coordinator. Generic over the router so core need not
 * import the server: bind it with a type-only import,
 * `createNexaClient<AppRouter>({ server, token, transport: 'http' })`.
 */
export function createNexaClient<TRouter extends AnyRouter>(
  options: NexaClientOptions,
): NexaConnection<TRouter> {
  const token = options.token ?? '';
  if (options.transport === 'http' && isUnixServer(options.server)) {
    throw new NexaError(
      'invalid_input',
      `${options.server} is a unix socket: it needs the websocket transport`,
    );
  }
  let watch: ReturnType<typeof watchConnection> | undefined;
  const secureContext: SecureContext | undefined = options.ca ? trustingCa(options.ca) : undefined;
  const wsClient = createWebSocketClient({
    url: webSocketUrl(options.server),
    secureContext,
    connectionParams: options.client ? { token, client: options.client } : { token },
    retryDelayMs: reconnectDelay,
    ...(options.transport === 'http' ? { lazy: { enabled: true, closeMs: 0 } } : {}),
    ...(options.keepAlive ? { keepAlive: { enabled: true, intervalMs: 5000, pongTimeoutMs: 3000 } } : {}),
    // No retry makes an untrusted certificate trusted, or plain http speak TLS: fail every call with the one line that says so.
    onError: (event) => {
      const tlsFailure = untrustedCertificate(event) ?? notTls(event, options.server);
      if (tlsFailure) watch?.fail(tlsFailure);
    },
    onClose: (cause) => {
      if (cause?.code !== TOKEN_ENDED_CLOSE_CODE) return;
      watch?.refuse(tokenEndReason((cause as { reason?: unknown }).reason));
    },
  });
  watch = watchConnection(wsClient, options.server);
  // No socket can succeed with a refused token: stop reconnecting.
  watch.subscribe((state) => {
    if (state === 'refused') void wsClient.close();
  });

  // Links are built for any router (Nexa's has no transformer); the client gets the caller's type.
  const overWebSocket = wsLink<AnyRouter>({ client: wsClient });
  const links: TRPCLink<AnyRouter>[] = [
    refusalLink<AnyRouter>(watch),
    options.transport === 'websocket'
      ? overWebSocket
      : splitLink<AnyRouter>({
          condition: (op) => op.type === 'subscription',
          true: overWebSocket,
          false: httpLink<AnyRouter>({
            url: trpcHttpUrl(options.server),
            headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
            fetch: retryWhenBusy(withTimeout(secureContext ? fetchTrusting(secureContext) : fetch)),
          }),
        }),
  ];
  const client = createTRPCClient<TRouter>({ links: links as TRPCLink<TRouter>[] });
  return { client, connection: watch, close: () => wsClient.close() };
}
