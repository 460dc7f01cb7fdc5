import { webSocketUrl } from '@nexa/core/config';
import type { AppRouter } from '@nexa/server';
import { createTRPCClient, TRPCClientError, wsLink } from '@trpc/client';
import { createWebSocketClient } from './webSocketClient.js';

export type CoordinatorClient = ReturnType<typeof createTRPCClient<AppRouter>>;

export interface Connection {
  client: CoordinatorClient;
  close(): Promise<void>;
}

/** Reconnect delay: exponential with jitter, capped, so a fleet does not stampede a restarted coordinator. */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(10_000, 250 * 2 ** attempt);
  return Math.round(base / 2 + (Math.random() * base) / 2);
}

/** The worker's one WebSocket to the coordinator; reconnects by itself and re-opens subscriptions. */
export function connect(
  serverUrl: string,
  token: string,
  hooks: { onOpen?: () => void; onClose?: () => void } = {},
): Connection {
  const wsClient = createWebSocketClient({
    url: webSocketUrl(serverUrl),
    connectionParams: { token },
    retryDelayMs: reconnectDelay,
    keepAlive: { enabled: true, intervalMs: 5000, pongTimeoutMs: 3000 },
    ...(hooks.onOpen ? { onOpen: hooks.onOpen } : {}),
    ...(hooks.onClose ? { onClose: hooks.onClose } : {}),
  });
  const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
  return { client, close: () => wsClient.close() };
}

/** The stable Nexa error code a coordinator sent with an error, if any. */
export function nexaCode(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  return (error.data as { nexa?: { code?: string } } | undefined)?.nexa?.code;
}
