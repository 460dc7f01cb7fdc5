import { isIP } from 'node:net';
import { NexaError } from '@nexa/core';

/** Addresses only this machine can reach: 127.0.0.0/8, ::1 (and ::ffff:127.x), localhost. */
export function isLoopbackHost(host: string): boolean {
  const bare = host
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare);
  return false;
}

/** What crosses the network in the clear when a coordinator is reachable from elsewhere without TLS. */
const exposed = 'bearer tokens, task output, secrets and approvals travel unencrypted';
const remedy =
  'pass --tls-cert FILE --tls-key FILE, or bind 127.0.0.1 behind a reverse proxy that terminates TLS';

/**
 * A coordinator listening beyond loopback without TLS is refused unless the
 * operator said --insecure; then the warning line to print (undefined: nothing
 * to say).
 */
export function exposureWarning(
  host: string,
  options: { tls: boolean; insecure: boolean },
): string | undefined {
  if (options.tls || isLoopbackHost(host)) return undefined;
  if (!options.insecure) {
    throw new NexaError('config', `refusing to listen on ${host} without TLS: ${exposed}`, {
      hint: `${remedy} (or --insecure on a network you trust)`,
    });
  }
  return `warning: listening on ${host} without TLS (--insecure): anyone on the network can read and replay what clients send; ${exposed}; ${remedy}`;
}
