import { TRPCClientError, type TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import type { ConnectionWatch } from './connectionState.js';
import { nexaCode } from './errors.js';

/** The refusal as the coordinator would have sent it, so every caller decodes it the same way. */
function asServerError(why: string): TRPCClientError<AnyRouter> {
  return TRPCClientError.from({
    error: {
      code: -32001,
      message: why,
      data: { code: 'UNAUTHORIZED', httpStatus: 401, nexa: { code: 'unauthorized', message: why } },
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
        const stopWatching = watch.onRefused((why) => observer.error(asServerError(why)));
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
