import type { IncomingMessage, ServerResponse } from 'node:http';
import { limits, type NexaErrorCode } from '@nexa/core';

/**
 * The JSON error envelope tRPC sends, for answers the coordinator gives before
 * tRPC runs: clients decode one shape (`error.data.nexa.code`) whoever refused.
 */
export function nexaErrorBody(status: number, code: NexaErrorCode, message: string, hint?: string): string {
  return JSON.stringify({
    error: { message, code: -32600, data: { httpStatus: status, nexa: { code, message, hint } } },
  });
}

/** How long a refused request may go on sending its body (read and dropped) before its connection is cut. */
export const REFUSED_BODY_LINGER_MS = 5000;

/**
 * Answers a request with a typed error before its body was read. Not with
 * `connection: close`: Node would close as soon as the answer is written, and
 * a client still sending its body would get a reset (EPIPE) before it reads
 * the answer. Node reads and drops the rest of the body instead, and keeps the
 * connection; a body that takes longer than the linger is cut.
 */
export function refuseRequest(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: NexaErrorCode,
  message: string,
  hint?: string,
): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status === 503) headers['retry-after'] = String(limits.load.retryAfterSeconds);
  res.writeHead(status, headers);
  res.end(nexaErrorBody(status, code, message, hint));
  if (req.complete) return;
  const cut = setTimeout(() => req.socket.destroy(), REFUSED_BODY_LINGER_MS);
  cut.unref();
  req.once('end', () => clearTimeout(cut));
}
