import { createNexaClient, type NexaConnection } from '@nexa/core/client';
import type { AppRouter } from '@nexa/server';

export type CoordinatorClient = NexaConnection<AppRouter>['client'];

export interface Connection {
  client: CoordinatorClient;
  close(): Promise<void>;
}

/**
 * The worker's one WebSocket to the coordinator; reconnects by itself and
 * re-opens subscriptions. `onOpen` runs when a socket opens, `onClose` when it
 * is lost or could not be opened (the worker logs each change once); `ca`:
 * a private CA the coordinator's certificate is checked against (wss).
 */
export function connect(
  serverUrl: string,
  token: string,
  hooks: { onOpen?: () => void; onClose?: () => void; ca?: string | undefined } = {},
): Connection {
  const { client, connection, close } = createNexaClient<AppRouter>({
    server: serverUrl,
    token,
    ca: hooks.ca,
    transport: 'websocket',
    keepAlive: true,
  });
  connection.subscribe((state) => {
    if (state === 'connected') hooks.onOpen?.();
    else hooks.onClose?.();
  });
  return { client, close };
}
