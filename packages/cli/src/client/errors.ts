import { isNexaErrorCode, NexaError } from '@nexa/core';
import { TRPCClientError } from '@trpc/client';

function networkCause(error: unknown): NodeJS.ErrnoException | undefined {
  let cause = (error as { cause?: unknown } | undefined)?.cause;
  for (let depth = 0; cause && depth < 5; depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code))
      return cause as NodeJS.ErrnoException;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The one place a client failure becomes a NexaError with a message a person
 * can act on: which server, what went wrong, what to do.
 */
export function toNexaError(error: unknown, server: string): unknown {
  if (error instanceof NexaError) return error;
  if (!(error instanceof TRPCClientError)) return error;
  const nexa = (error.data as { nexa?: { code?: string; message?: string; hint?: string } } | undefined)
    ?.nexa;
  if (nexa && isNexaErrorCode(nexa.code)) {
    if (nexa.code === 'unauthorized') {
      return new NexaError('unauthorized', `the server at ${server} refused the token: ${nexa.message}`, {
        hint: 'pass a valid one with --token or NEXA_TOKEN (an admin makes one with `nexa token create`)',
      });
    }
    return new NexaError(nexa.code, nexa.message ?? error.message, nexa.hint ? { hint: nexa.hint } : {});
  }
  const network = networkCause(error);
  if (network || /fetch failed|ECONNREFUSED|timed? ?out/i.test(error.message)) {
    const why = network?.code === 'ECONNREFUSED' ? 'connection refused' : (network?.code ?? error.message);
    return new NexaError('server_unreachable', `could not reach a Nexa server at ${server} (${why})`, {
      hint: 'start one with `nexa up`, or point --server / NEXA_SERVER at a running one',
    });
  }
  return new NexaError('internal', `the server at ${server} failed: ${error.message}`);
}
