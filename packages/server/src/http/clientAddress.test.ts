import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { canonicalAddress, clientAddress } from './clientAddress.js';

const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  const proxies = new Set(['127.0.0.1', '10.0.0.2']);

  it('is the peer when the peer is not a trusted proxy, whatever the header says', () => {
    expect(clientAddress(request('203.0.113.9', '1.2.3.4'), proxies)).toBe('203.0.113.9');
    expect(clientAddress(request('::ffff:203.0.113.9'), new Set())).toBe('203.0.113.9');
  });

  it('is the client a trusted proxy names, read from the right', () => {
    expect(clientAddress(request('127.0.0.1', '198.51.100.7'), proxies)).toBe('198.51.100.7');
    // The client wrote "1.2.3.4" itself; the proxy appended the address it saw.
    expect(clientAddress(request('127.0.0.1', '1.2.3.4, 198.51.100.7'), proxies)).toBe('198.51.100.7');
    // Two trusted proxies in a row.
    expect(clientAddress(request('127.0.0.1', '1.2.3.4, 198.51.100.7, 10.0.0.2'), proxies)).toBe(
      '198.51.100.7',
    );
  });

  it('is the proxy itself when it names nobody', () => {
    expect(clientAddress(request('127.0.0.1'), proxies)).toBe('127.0.0.1');
  });

  it('spells addresses one way: a dual-stack IPv4 peer and an IPv6 in capitals match their plain spelling', () => {
    expect(canonicalAddress('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(canonicalAddress('FE80::1')).toBe('fe80::1');
    const proxies = new Set(['::FFFF:10.0.0.2'].map(canonicalAddress));
    expect(clientAddress(request('::ffff:10.0.0.2', '198.51.100.7'), proxies)).toBe('198.51.100.7');
  });
});
