import { describe, expect, it } from 'vitest';
import { BoundedMap, FailureBackoff, OncePer, RateLimited, WindowCounter } from './rateLimits.js';

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  const state = { now: start };
  return { now: () => state.now, advance: (ms: number) => (state.now += ms) };
}

describe('WindowCounter', () => {
  it('allows max events in a window, refuses the next with the time left, and opens a new window after', () => {
    const time = clock();
    const counter = new WindowCounter(600, 60_000, 100, time.now);
    for (let i = 0; i < 600; i++) expect(counter.take('alice')).toBeNull();
    time.advance(20_000);
    expect(counter.take('alice')).toBe(40_000);
    // Someone else's count is their own.
    expect(counter.take('bob')).toBeNull();
    time.advance(40_000);
    expect(counter.take('alice')).toBeNull();
  });
});

describe('FailureBackoff', () => {
  const options = { free: 10, baseMs: 1000, maxMs: 60_000, forgetMs: 15 * 60_000, cap: 100 };

  it('lets the free failures through, then doubles the wait per failure up to the cap', () => {
    const time = clock();
    const backoff = new FailureBackoff(options, time.now);
    for (let i = 0; i < 10; i++) expect(backoff.fail('10.0.0.1')).toBe(0);
    expect(backoff.waitMs('10.0.0.1')).toBe(0);
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      const wait = backoff.fail('10.0.0.1');
      waits.push(wait);
      expect(backoff.waitMs('10.0.0.1')).toBe(wait);
      time.advance(wait); // the wait is over: the next failure is the next step
      expect(backoff.waitMs('10.0.0.1')).toBe(0);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    // Another address has its own free failures.
    expect(backoff.fail('10.0.0.2')).toBe(0);
  });

  it('forgets an address that was quiet long enough', () => {
    const time = clock();
    const backoff = new FailureBackoff(options, time.now);
    for (let i = 0; i < 11; i++) backoff.fail('10.0.0.1');
    time.advance(options.forgetMs);
    expect(backoff.fail('10.0.0.1')).toBe(0);
  });

  it('stays bounded under 100k distinct addresses, keeping the newest', () => {
    const backoff = new FailureBackoff({ ...options, free: 0, cap: 10_000 });
    for (let i = 0; i < 100_000; i++) backoff.fail(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const inside = backoff as unknown as { failures: BoundedMap<string, unknown> };
    expect(inside.failures.size).toBeLessThanOrEqual(10_000);
    expect(inside.failures.size).toBeGreaterThanOrEqual(9000);
    // The newest address still waits; the oldest was forgotten.
    expect(backoff.waitMs(`10.1.134.159`)).toBeGreaterThan(0); // i = 99_999
    expect(backoff.waitMs('10.0.0.0')).toBe(0);
  });
});

describe('BoundedMap', () => {
  it('forgets the least recently used key first', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.get('a'); // a is now newer than b
    map.set('c', 3);
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([1, undefined, 3]);
    expect(map.size).toBe(2);
  });
});

describe('OncePer', () => {
  it('is true once per key per period', () => {
    const time = clock();
    const once = new OncePer(60_000, 10, time.now);
    expect([once.first('k'), once.first('k'), once.first('j')]).toEqual([true, false, true]);
    time.advance(60_000);
    expect(once.first('k')).toBe(true);
  });
});

describe('RateLimited', () => {
  it('is rate_limited with whole seconds to wait, at least one, in its hint', () => {
    const error = new RateLimited('too many', 1200);
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterSeconds).toBe(2);
    expect(error.hint).toBe('wait 2 s and retry');
    expect(new RateLimited('too many', 10).retryAfterSeconds).toBe(1);
  });
});
