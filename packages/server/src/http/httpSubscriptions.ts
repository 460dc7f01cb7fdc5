import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyRouter } from '@trpc/server';
import { refuseRequest } from './errorEnvelope.js';

/**
 * Refuses subscription calls over HTTP before tRPC sees them. tRPC's HTTP
 * handler answers any subscription call with `200 text/event-stream`, even
 * with SSE disabled and even when all it has to say is an error, so a client
 * would see a success status and a body that is not the JSON error envelope.
 * Subscriptions are served over the WebSocket, where a slow reader is bounded.
 */
export function createHttpSubscriptionGuard(router: AnyRouter, trpcPath: string) {
  const procedures = router._def.procedures as Record<string, { _def: { type: string } } | undefined>;
  const isSubscription = (path: string) => procedures[path]?._def.type === 'subscription';

  return {
    /** True if the request named a subscription and was answered here. */
    refused(req: IncomingMessage, res: ServerResponse): boolean {
      const url = new URL(req.url ?? '/', 'http://coordinator');
      const raw = url.pathname.slice(trpcPath.length + 1);
      let decoded = raw;
      try {
        decoded = decodeURIComponent(raw);
      } catch {}
      // A batch names several paths; one subscription among them is enough to refuse the lot.
      const paths = new Set([...raw.split(','), ...decoded.split(',')]);
      if (![...paths].some(isSubscription)) return false;
      refuseRequest(
        req,
        res,
        400,
        'invalid_input',
        'subscriptions are served over the WebSocket only',
        'connect with a WebSocket (the nexa client does this itself)',
      );
      return true;
    },
  };
}
