import { type ClientSettings, trpcHttpUrl, webSocketUrl } from '@nexa/core/config';
import type { AppRouter } from '@nexa/server';
import { createWebSocketClient } from '@nexa/worker/web-socket-client';
import { createTRPCClient, httpLink, splitLink, wsLink } from '@trpc/client';
import { retryWhenBusy } from './busyRetry.js';

export type NexaClient = ReturnType<typeof createTRPCClient<AppRouter>>;

/** Queries and mutations: how long to wait for an answer before calling the server unreachable. */
const REQUEST_TIMEOUT_MS = 15_000;

const fetchWithTimeout: typeof fetch = (input, init) =>
  fetch(input, {
    ...init,
    signal: init?.signal
      ? AbortSignal.any([init.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)])
      : AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });

/**
 * A client for one coordinator: queries and mutations over HTTP, subscriptions
 * over a WebSocket that is opened only when the first subscription starts.
 */
export function createClient(settings: ClientSettings): { client: NexaClient; close(): Promise<void> } {
  const headers = settings.token ? { authorization: `Bearer ${settings.token}` } : {};
  const wsClient = createWebSocketClient({
    url: webSocketUrl(settings.server),
    connectionParams: { token: settings.token ?? '' },
    lazy: { enabled: true, closeMs: 0 },
    retryDelayMs: (attempt) => Math.min(5000, 200 * 2 ** attempt),
  });
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink({ client: wsClient }),
        false: httpLink({
          url: trpcHttpUrl(settings.server),
          headers,
          fetch: retryWhenBusy(fetchWithTimeout),
        }),
      }),
    ],
  });
  return { client, close: () => wsClient.close() };
}
