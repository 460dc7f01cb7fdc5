import { createNexaClient, type NexaConnection } from '@nexa/core/client';
import type { ClientSettings } from '@nexa/core/config';
import type { AppRouter } from '@nexa/server';

export type NexaClient = NexaConnection<AppRouter>['client'];

/**
 * A command's client for one coordinator: queries and mutations over HTTP,
 * subscriptions over a WebSocket opened only when the first one starts.
 */
export function createClient(settings: ClientSettings): NexaConnection<AppRouter> {
  return createNexaClient<AppRouter>({ server: settings.server, token: settings.token, transport: 'http' });
}
