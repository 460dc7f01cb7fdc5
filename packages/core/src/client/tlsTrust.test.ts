import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { NexaError } from '../errors.js';
import { toNexaError } from './errors.js';
import { notTls, untrustedCertificate } from './tlsTrust.js';

const tlsError = (code: string) => Object.assign(new Error(`tls: ${code}`), { code });
const line = (reason: string) =>
  `the server's certificate is not trusted (${reason}): pass its CA with --ca FILE`;

describe('untrustedCertificate', () => {
  it.each([
    ['SELF_SIGNED_CERT_IN_CHAIN', 'it is signed by a CA this client does not know'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'it is self-signed'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'its issuer is unknown here'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'its certificate is for another name'],
    ['CERT_HAS_EXPIRED', 'it has expired'],
  ])('%s: one line, exit 125', (code, reason) => {
    const refusal = untrustedCertificate(tlsError(code));
    expect(refusal).toBeInstanceOf(NexaError);
    expect(refusal?.toLine()).toBe(line(reason));
    expect(refusal?.exitCode).toBe(125);
  });

  it('finds the TLS error where fetch, tRPC and ws put it', () => {
    const fetchFailure = new TypeError('fetch failed', { cause: tlsError('SELF_SIGNED_CERT_IN_CHAIN') });
    const viaTrpc = TRPCClientError.from(fetchFailure);
    // ws hands its listeners an ErrorEvent whose `.error` is the socket's error.
    const wsEvent = { type: 'error', error: tlsError('DEPTH_ZERO_SELF_SIGNED_CERT') };
    expect(untrustedCertificate(viaTrpc)?.message).toContain('signed by a CA');
    expect(untrustedCertificate(wsEvent)?.message).toContain('self-signed');
    expect(toNexaError(viaTrpc, 'https://c:7420')).toEqual(untrustedCertificate(fetchFailure));
  });

  it('leaves other failures alone', () => {
    expect(untrustedCertificate(tlsError('ECONNREFUSED'))).toBeUndefined();
    expect(untrustedCertificate(new Error('boom'))).toBeUndefined();
    const cycle: { cause?: unknown } = {};
    cycle.cause = cycle;
    expect(untrustedCertificate(cycle)).toBeUndefined();
  });
});

describe('notTls', () => {
  it('says an https URL reached a plain http port, from fetch or node:https', () => {
    const fromFetch = new TypeError('fetch failed', { cause: tlsError('ERR_SSL_WRONG_VERSION_NUMBER') });
    const fromHttps = Object.assign(new Error('write EPROTO ...:ssl3_get_record:wrong version number:...'), {
      code: 'EPROTO',
    });
    for (const error of [fromFetch, fromHttps]) {
      expect(toNexaError(TRPCClientError.from(error), 'https://c:7420')).toMatchObject({
        code: 'server_unreachable',
        message: 'the server at https://c:7420 does not speak TLS on that port',
        hint: expect.stringContaining('http://c:7420'),
      });
    }
    expect(notTls(tlsError('ECONNREFUSED'), 'https://c:7420')).toBeUndefined();
  });
});

describe('an http:// URL for a TLS port', () => {
  it('hints at https when the server hung up', () => {
    const hungUp = TRPCClientError.from(new TypeError('fetch failed', { cause: tlsError('UND_ERR_SOCKET') }));
    expect(toNexaError(hungUp, 'http://c:7420')).toMatchObject({
      code: 'server_unreachable',
      hint: expect.stringContaining('use https://c:7420'),
    });
    const refused = TRPCClientError.from(new TypeError('fetch failed', { cause: tlsError('ECONNREFUSED') }));
    expect(toNexaError(refused, 'http://c:7420')).toMatchObject({ hint: expect.stringContaining('nexa up') });
  });
});
