import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('durations', () => {
  it('reads the forms people type', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1.5')).toBe(1500);
    expect(parseDuration('1h')).toBe(3_600_000);
  });

  it('says what is wrong with a bad one', () => {
    expect(() => parseDuration('10 minutes', '--timeout')).toThrow(
      '--timeout "10 minutes" is not a duration',
    );
    expect(() => parseDuration('5x')).toThrow(/not a duration/);
    expect(() => parseDuration('')).toThrow(/not a duration/);
  });

  it('prints them back short', () => {
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(7_200_000)).toBe('2h');
  });
});
