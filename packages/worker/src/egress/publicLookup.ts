import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, type LookupFunction } from 'node:net';

/**
 * Addresses of the worker's own machine, and the link-local range the cloud's
 * metadata service answers on (169.254.169.254): the proxy runs on the
 * worker's host, outside the sandbox's walls, so a name on a task's allowlist
 * must not lead there. Private networks stay reachable by name (a company's
 * registry or gateway): whoever allowed that name meant its network.
 */
const internal = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['224.0.0.0', 3],
] as const) {
  internal.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  internal.addSubnet(network, prefix, 'ipv6');
}
/** IPv4-mapped IPv6 (::ffff:127.0.0.1) is checked as the IPv4 it carries. */
const mappedV4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

export function isInternalAddress(address: string, family: number): boolean {
  const v4 = mappedV4.exec(address)?.[1];
  if (v4) return internal.check(v4, 'ipv4');
  return internal.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * A DNS lookup for the proxy's outgoing connections that refuses a name
 * resolving to the worker's own machine or the metadata range (a wildcard
 * entry whose DNS someone else controls could otherwise point there). An
 * address on the allowlist itself is not looked up, so `--allow-host
 * 127.0.0.1:8080` still reaches it; and the worker's own provider names
 * (its --pass-env base URL, say http://localhost:4000) are not checked.
 */
export const publicLookup = ((hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const inside = addresses.find((found) => isInternalAddress(found.address, found.family));
    if (inside || addresses.length === 0) {
      const refused = Object.assign(
        new Error(
          `${hostname} resolves to ${inside?.address ?? 'nothing'}, on the worker's own machine: allow that address itself if it is meant`,
        ),
        { code: 'EINTERNAL' },
      );
      return callback(refused, '', 0);
    }
    if (options.all) return (callback as (e: null, all: LookupAddress[]) => void)(null, addresses);
    const [first] = addresses as [LookupAddress];
    callback(null, first.address, first.family);
  });
}) as LookupFunction;
