import { TRPCClientError, type TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import type { NexaError } from '../errors.js';
import type { ConnectionWatch } from './connectionState.js';
import { nexaCode } from './errors.js';

/**
 * The refusal as the coordinator would have sent it, so every caller decodes
 * it the same way: a token's in the coordinator's own words (the decoder says
 * whose token), any other as the client wrote it.
 */
function asServerError(why: string, refusal: NexaError): TRPCClientError<AnyRouter> {
  const nexa =
    refusal.code === 'unauthorized'
      ? { code: 'unauthorized', message: why }
      : { code: refusal.code, message: refusal.message, ...(refusal.hint ? { hint: refusal.hint } : {}) };
  return TRPCClientError.from({
    error: {
      code: -32001,
      message: nexa.message,
      data: { code: 'UNAUTHORIZED', httpStatus: 401, nexa },
    },
  });
}

/**
 * Turns a refused token into one outcome for every call: the first
 * `unauthorized` answer (or a 4001 close) marks the connection refused, and
 * every call still open, subscriptions included, fails with that refusal
 * instead of waiting on a socket that will not come back.
 */
export function refusalLink<TRouter extends AnyRouter>(watch: ConnectionWatch): TRPCLink<TRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        const stopWatching = watch.onRefused((why, refusal) => observer.error(asServerError(why, refusal)));
        const call = next(op).subscribe({
          next: (result) => observer.next(result),
          error: (error) => {
            stopWatching(); // this call fails with the server's own answer, not the copy
            observer.error(error);
            if (nexaCode(error) === 'unauthorized') watch.refuse(error.message);
          },
          complete: () => observer.complete(),
        });
        return () => {
          stopWatching();
          call.unsubscribe();
        };
      });
}
