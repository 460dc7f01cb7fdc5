import { describe, expect, it } from 'vitest';
import { sinceTime } from './since.js';

describe('sinceTime', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');

  it('reads a time ago and an ISO date', () => {
    expect(sinceTime('1h', now)).toBe(Date.parse('2026-11-26T11:00:00Z'));
    expect(sinceTime('90m', now)).toBe(Date.parse('2026-11-26T10:30:00Z'));
    expect(sinceTime('2d', now)).toBe(Date.parse('2026-11-24T12:00:00Z'));
    expect(sinceTime('2026-11-26T10:00Z', now)).toBe(Date.parse('2026-11-26T10:00:00Z'));
    expect(sinceTime('2026-11-25', now)).toBe(Date.parse('2026-11-25T00:00:00Z'));
  });

  it('refuses anything else with one line saying what it takes', () => {
    expect(() => sinceTime('yesterday', now)).toThrow('--since "yesterday" is neither a time ago nor a date');
    expect(() => sinceTime('2026-13-45', now)).toThrow('--since "2026-13-45" is not a date');
  });
});
