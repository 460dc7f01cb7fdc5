import type { IncomingMessage, ServerResponse } from 'node:http';
import { limits } from '@nexa/core';
import { refuseRequest } from './errorEnvelope.js';

/**
 * Checks an HTTP request can cost before tRPC reads a byte of its body: how
 * many are open at once, the declared body size, the number of batched calls.
 * A refused request gets the same JSON error envelope tRPC sends, so clients
 * decode one shape, and its connection lingers so a client still sending its
 * body reads the answer instead of a reset.
 */
export function createHttpGuards(trpcPath: string) {
  let open = 0;

  return {
    /** True if the request was answered here (refused); else it holds a slot until its response ends. */
    refused(req: IncomingMessage, res: ServerResponse): boolean {
      if (open >= limits.load.httpRequests) {
        refuseRequest(
          req,
          res,
          503,
          'unavailable',
          'the coordinator is busy',
          `retry in ${limits.load.retryAfterSeconds} s`,
        );
        return true;
      }
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > limits.wire.messageBytes) {
        refuseRequest(
          req,
          res,
          413,
          'invalid_input',
          `the request is larger than the limit of ${limits.wire.messageBytes} bytes`,
        );
        return true;
      }
      const url = new URL(req.url ?? '/', 'http://coordinator');
      if (url.searchParams.get('batch') === '1') {
        const calls = url.pathname.slice(trpcPath.length).split(',').length;
        if (calls > limits.wire.batchCalls) {
          refuseRequest(
            req,
            res,
            400,
            'invalid_input',
            `a batch may hold at most ${limits.wire.batchCalls} calls`,
          );
          return true;
        }
      }
      open++;
      res.once('close', () => {
        open--;
      });
      return false;
    },
  };
}
