import { describe, expect, it } from 'vitest';
import { exposureWarning, isLoopbackHost } from './exposure.js';

describe('isLoopbackHost', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '::1',
    '[::1]',
    '::ffff:127.0.0.1',
    'localhost',
    'LOCALHOST',
    'nexa.localhost',
  ])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    '0.0.0.0',
    '::',
    '',
    '10.0.0.5',
    '192.168.1.2',
    '128.0.0.1',
    'example.com',
    'localhost.example.com',
    '::2',
  ])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('exposureWarning', () => {
  it('says nothing for loopback or TLS', () => {
    expect(exposureWarning('127.0.0.1', { tls: false, insecure: false })).toBeUndefined();
    expect(exposureWarning('0.0.0.0', { tls: true, insecure: false })).toBeUndefined();
  });

  it('refuses beyond loopback without TLS, saying what is exposed and what to do', () => {
    expect(() => exposureWarning('0.0.0.0', { tls: false, insecure: false })).toThrowError(
      expect.objectContaining({
        code: 'config',
        message: expect.stringMatching(/refusing to listen on 0\.0\.0\.0 without TLS: .*tokens.*unencrypted/),
        hint: expect.stringMatching(/--tls-cert FILE --tls-key FILE.*reverse proxy.*--insecure/),
      }),
    );
  });

  it('warns with --insecure', () => {
    expect(exposureWarning('10.0.0.5', { tls: false, insecure: true })).toMatch(
      /^warning: listening on 10\.0\.0\.5 without TLS \(--insecure\).*secrets and approvals travel unencrypted.*--tls-cert/,
    );
  });
});
