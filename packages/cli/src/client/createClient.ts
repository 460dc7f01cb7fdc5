import { createNexaClient, type NexaConnection } from '@nexa/core/client';
import { type ClientSettings, isUnixServer } from '@nexa/core/config';
import type { AppRouter } from '@nexa/server';

export type NexaClient = NexaConnection<AppRouter>['client'];

/**
 * A command's client for one coordinator: queries and mutations over HTTP,
 * subscriptions over a WebSocket opened only when the first one starts. A
 * coordinator behind a unix socket (inside a task's sandbox) speaks only
 * WebSocket, so everything goes over it there.
 */
export function createClient(settings: ClientSettings, client = 'cli'): NexaConnection<AppRouter> {
  return createNexaClient<AppRouter>({
    server: settings.server,
    token: settings.token,
    ca: settings.ca,
    transport: isUnixServer(settings.server) ? 'websocket' : 'http',
    client,
  });
}
