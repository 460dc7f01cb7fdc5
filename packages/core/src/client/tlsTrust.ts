import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { NexaError } from '../errors.js';

/**
 * What the TLS errors that mean "this client does not trust the server's
 * certificate" say, as a person reads them. Verification is never turned
 * off: the way out is always the CA.
 */
const untrustedReasons: Record<string, string> = {
  SELF_SIGNED_CERT_IN_CHAIN: 'it is signed by a CA this client does not know',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuer is unknown here',
  UNABLE_TO_GET_ISSUER_CERT: 'its issuer is unknown here',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is unknown here',
  CERT_SIGNATURE_FAILURE: 'its signature does not check out',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is for another name',
};

/** The error under a client failure whose code `matches` (fetch, tRPC and WebSocket errors wrap it, or carry it as `.error`). */
function causeWith(
  error: unknown,
  matches: (code: string, message: string) => boolean,
): { code: string } | undefined {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const item = pending.shift();
    if (!item || typeof item !== 'object' || seen.has(item) || seen.size > 8) continue;
    seen.add(item);
    const code = (item as { code?: unknown }).code;
    const message = String((item as { message?: unknown }).message ?? '');
    if (typeof code === 'string' && matches(code, message)) return { code };
    pending.push((item as { cause?: unknown }).cause, (item as { error?: unknown }).error);
  }
  return undefined;
}

/** The one line for a server whose certificate this client does not trust; undefined for any other failure. */
export function untrustedCertificate(error: unknown): NexaError | undefined {
  const cause = causeWith(error, (code) => code in untrustedReasons);
  if (!cause) return undefined;
  return new NexaError(
    'config',
    `the server's certificate is not trusted (${untrustedReasons[cause.code]}): pass its CA with --ca FILE`,
  );
}

/** An https:// URL for a port that answers plain http: one line saying so, not "could not reach". */
export function notTls(error: unknown, server: string): NexaError | undefined {
  const cause = causeWith(
    error,
    (code, message) =>
      code === 'ERR_SSL_WRONG_VERSION_NUMBER' || (code === 'EPROTO' && /wrong version number/.test(message)),
  );
  if (!cause) return undefined;
  return new NexaError('server_unreachable', `the server at ${server} does not speak TLS on that port`, {
    hint: `use ${server.replace(/^https:/, 'http:')} if it serves plain http (on loopback or behind a proxy), or check the port`,
  });
}

/**
 * The TLS context of a client that trusts `ca` as well as the system's CAs
 * (made once: a context per connection would parse every root each time).
 */
export function trustingCa(ca: string): SecureContext {
  return createSecureContext({ ca: [...rootCertificates, ca] });
}
