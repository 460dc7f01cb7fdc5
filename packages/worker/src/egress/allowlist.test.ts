import { describe, expect, it } from 'vitest';
import { allowlist, providerHosts } from './allowlist.js';

describe('an allowlist', () => {
  it('matches names exactly and case-insensitively; a host without a port allows 80 and 443', () => {
    const list = allowlist(['Registry.npmjs.org', '127.0.0.1:8080', '[::1]:9000', '*.example.com']);
    expect(list.allows('registry.npmjs.org', 443)).toBe(true);
    expect(list.allows('REGISTRY.NPMJS.ORG.', 80)).toBe(true);
    expect(list.allows('registry.npmjs.org', 22)).toBe(false);
    expect(list.allows('evil.registry.npmjs.org', 443)).toBe(false);
    expect(list.allows('registry.npmjs.org.evil.com', 443)).toBe(false);
    expect(list.allows('127.0.0.1', 8080)).toBe(true);
    expect(list.allows('127.0.0.1', 8081)).toBe(false);
    expect(list.allows('localhost', 8080)).toBe(false);
    expect(list.allows('[::1]', 9000)).toBe(true);
    expect(list.allows('a.example.com', 443)).toBe(true);
    expect(list.allows('example.com', 443)).toBe(false);
    expect(list.allows('badexample.com', 443)).toBe(false);
  });

  it('allows nothing when empty', () => {
    expect(allowlist([]).allows('127.0.0.1', 80)).toBe(false);
  });
});

describe("an agent's provider", () => {
  it('is the address of its first base-URL variable it is given, else its provider hosts', () => {
    expect(providerHosts('claude', { ANTHROPIC_BASE_URL: 'http://127.0.0.1:4123' })).toEqual([
      '127.0.0.1:4123',
    ]);
    expect(providerHosts('claude', { ANTHROPIC_BASE_URL: 'https://gateway.corp' })).toEqual([
      'gateway.corp:443',
    ]);
    expect(providerHosts('claude', {})).toEqual(['api.anthropic.com:443']);
    expect(providerHosts('acp', { OPENAI_BASE_URL: 'http://llm:80/v1' })).toEqual(['llm:80']);
    expect(providerHosts('shell', { ANTHROPIC_BASE_URL: 'http://127.0.0.1:1' })).toEqual([]);
  });
});
