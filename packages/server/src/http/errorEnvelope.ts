import type { ServerResponse } from 'node:http';
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

/** Answers a request with a typed error and closes its connection. */
export function refuseRequest(
  res: ServerResponse,
  status: number,
  code: NexaErrorCode,
  message: string,
  hint?: string,
): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', connection: 'close' };
  if (status === 503) headers['retry-after'] = String(limits.load.retryAfterSeconds);
  res.writeHead(status, headers);
  res.end(nexaErrorBody(status, code, message, hint));
}
