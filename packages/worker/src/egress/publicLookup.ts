import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, type LookupFunction } from 'node:net';

/**
 * Addresses inside the worker's own machine or network: loopback, private,
 * link-local (cloud metadata at 169.254.169.254), shared, multicast and the
 * unspecified ones. The proxy runs on the worker's host, outside the
 * sandbox's walls: a name on a task's allowlist must not lead there.
 */
const internal = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 3],
] as const) {
  internal.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  internal.addSubnet(network, prefix, 'ipv6');
}

export function isInternalAddress(address: string, family: number): boolean {
  return internal.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * A DNS lookup for the proxy's outgoing connections that refuses a name
 * resolving to an internal address (a wildcard entry whose DNS the task's
 * author controls could otherwise point at the worker's loopback or the
 * cloud's metadata service). An address on the allowlist itself is not
 * looked up, so `--allow-host 127.0.0.1:8080` still reaches it.
 */
export const publicLookup = ((hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const inside = addresses.find((found) => isInternalAddress(found.address, found.family));
    if (inside || addresses.length === 0) {
      const refused = Object.assign(
        new Error(
          `${hostname} resolves to ${inside?.address ?? 'nothing'}, inside the worker's own network: allow that address itself if it is meant`,
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
