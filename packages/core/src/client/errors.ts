import { TRPCClientError } from '@trpc/client';
import { isNexaErrorCode, NexaError } from '../errors.js';
import { notTls, untrustedCertificate } from './tlsTrust.js';

/** What the coordinator puts in an error's data (its error formatter): the NexaError, typed. */
interface NexaErrorData {
  code?: string;
  message?: string;
  hint?: string;
}

function nexaData(error: TRPCClientError<never>): NexaErrorData | undefined {
  return (error.data as { nexa?: NexaErrorData } | undefined)?.nexa;
}

/** The stable Nexa error code a coordinator sent with an error, if any. */
export function nexaCode(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  return nexaData(error)?.code;
}

/** A coordinator refused the token: say so, and how to get one it takes. */
export function tokenRefused(server: string, why: string): NexaError {
  return new NexaError('unauthorized', `the server at ${server} refused the token: ${why}`, {
    hint: 'pass a valid one with --token or NEXA_TOKEN (an admin makes one with `nexa token create`)',
  });
}

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
  const nexa = nexaData(error);
  if (nexa && isNexaErrorCode(nexa.code)) {
    if (nexa.code === 'unauthorized') return tokenRefused(server, nexa.message ?? error.message);
    return new NexaError(nexa.code, nexa.message ?? error.message, nexa.hint ? { hint: nexa.hint } : {});
  }
  const tlsFailure = untrustedCertificate(error) ?? notTls(error, server);
  if (tlsFailure) return tlsFailure;
  const network = networkCause(error);
  if (network || /fetch failed|ECONNREFUSED|timed? ?out/i.test(error.message)) {
    const why = network?.code === 'ECONNREFUSED' ? 'connection refused' : (network?.code ?? error.message);
    // A TLS port hangs up on a plain http request without a word: that is the likely reason for an http:// URL.
    const hungUp =
      server.startsWith('http:') && ['UND_ERR_SOCKET', 'ECONNRESET'].includes(network?.code ?? '');
    return new NexaError('server_unreachable', `could not reach a Nexa server at ${server} (${why})`, {
      hint: hungUp
        ? `if it serves https, use ${server.replace(/^http:/, 'https:')}; else check that a Nexa server runs there`
        : 'start one with `nexa up`, or point --server / NEXA_SERVER at a running one',
    });
  }
  return new NexaError('internal', `the server at ${server} failed: ${error.message}`);
}
