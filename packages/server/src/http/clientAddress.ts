import type { IncomingMessage } from 'node:http';

/**
 * One spelling per address: IPv4 clients of a dual-stack socket show as
 * ::ffff:a.b.c.d, and IPv6 is case-insensitive. Trusted proxies are spelled
 * the same way (startServer), or a proxy given as ::FFFF:10.0.0.1 would never match.
 */
export const canonicalAddress = (address: string) => {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice('::ffff:'.length) : lower;
};
const plain = canonicalAddress;

/**
 * The address a request came from: the socket's peer, or, when that peer is
 * a reverse proxy the coordinator was told to trust (`--trusted-proxy`), the
 * client the proxy names in X-Forwarded-For. Only the entries the trusted
 * proxies appended are believed (read from the right); anything left of them
 * was written by the client and could be anything.
 */
export function clientAddress(req: IncomingMessage, trustedProxies: ReadonlySet<string>): string | null {
  const peer = req.socket.remoteAddress;
  if (peer === undefined) return null;
  let address = plain(peer);
  if (!trustedProxies.has(address)) return address;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((part) => plain(part.trim()))
    .filter((part) => part !== '');
  while (trustedProxies.has(address)) {
    const next = forwarded.pop();
    if (next === undefined) break;
    address = next;
  }
  return address;
}
