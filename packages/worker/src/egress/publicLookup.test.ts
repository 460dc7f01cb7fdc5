import { describe, expect, it } from 'vitest';
import { isInternalAddress } from './publicLookup.js';

describe('isInternalAddress', () => {
  it.each([
    ['127.0.0.1', 4],
    ['127.8.9.10', 4],
    ['169.254.169.254', 4],
    ['0.0.0.0', 4],
    ['::1', 6],
    ['::', 6],
    ['fe80::1', 6],
    ['::ffff:127.0.0.1', 6],
    ['::ffff:169.254.169.254', 6],
  ])('%s is the worker’s own machine or the metadata range', (address, family) => {
    expect(isInternalAddress(address, family)).toBe(true);
  });

  it.each([
    ['93.184.216.34', 4],
    ['10.1.2.3', 4],
    ['192.168.1.10', 4],
    ['2606:4700::1111', 6],
    ['::ffff:10.1.2.3', 6],
  ])('%s is not: the internet, or a private network someone allowed by name', (address, family) => {
    expect(isInternalAddress(address, family)).toBe(false);
  });
});
