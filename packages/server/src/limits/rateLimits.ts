import { NexaError } from '@nexa/core';

/**
 * The counting behind per-principal and per-address limits: fixed windows,
 * a doubling back-off, and a map that forgets its oldest keys past a cap.
 * Nothing here runs a timer: every state is brought up to date when its key
 * is next touched, so an idle coordinator does no work for it.
 */

/** A limit was hit: `rate_limited` (HTTP 429), saying how long to wait, which Retry-After repeats. */
export class RateLimited extends NexaError {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterMs: number, hint?: string) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super('rate_limited', message, { hint: hint ?? `wait ${seconds} s and retry` });
    this.retryAfterSeconds = seconds;
  }
}

/**
 * A Map with at most `cap` keys: touching a key makes it the newest, and
 * adding one past the cap forgets the least recently touched (a tenth of them). Its memory is
 * bounded whatever number of addresses or tokens a flood brings.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly cap: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The value, made the most recently used. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size <= this.cap) return;
    // The oldest tenth at once: finding the oldest walks past every key deleted before it, so
    // dropping one per insert made a flood of new keys quadratic (2.5 s for 100k; 0.15 s so).
    let drop = Math.ceil(this.cap / 10);
    for (const oldest of this.entries.keys()) {
      this.entries.delete(oldest);
      if (--drop === 0) break;
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}

interface Window {
  startedAt: number;
  count: number;
}

/**
 * At most `max` events per key in a window of `windowMs`, counted from the
 * key's first event in it (so "the 601st submission within a minute of the
 * first" is refused, not one that happens to straddle a clock minute).
 */
export class WindowCounter {
  private readonly windows: BoundedMap<string, Window>;

  constructor(
    readonly max: number,
    readonly windowMs: number,
    cap: number,
    private readonly now: () => number = Date.now,
  ) {
    this.windows = new BoundedMap(cap);
  }

  /** Counts one event; returns null when within the limit, else how many ms until the window ends. */
  take(key: string): number | null {
    const now = this.now();
    const window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      this.windows.set(key, { startedAt: now, count: 1 });
      return null;
    }
    if (window.count >= this.max) return window.startedAt + this.windowMs - now;
    window.count++;
    return null;
  }
}

interface Failures {
  count: number;
  lastAt: number;
  /** Refused until then (epoch ms); 0: not waiting. */
  until: number;
}

/**
 * Failures per key: the first `free` cost nothing, each one after makes the
 * key wait, `baseMs` at first and twice as long each time, up to `maxMs`.
 * A key quiet for `forgetMs` starts over.
 */
export class FailureBackoff {
  private readonly failures: BoundedMap<string, Failures>;

  constructor(
    private readonly options: { free: number; baseMs: number; maxMs: number; forgetMs: number; cap: number },
    private readonly now: () => number = Date.now,
  ) {
    this.failures = new BoundedMap(options.cap);
  }

  /** How many ms the key must still wait (0: it may try now). */
  waitMs(key: string): number {
    const entry = this.failures.get(key);
    if (!entry) return 0;
    return Math.max(0, entry.until - this.now());
  }

  /** Records a failure; returns how long the key must now wait (0 while failures are free). */
  fail(key: string): number {
    const now = this.now();
    const previous = this.failures.get(key);
    const count = previous && now - previous.lastAt < this.options.forgetMs ? previous.count + 1 : 1;
    const over = count - this.options.free;
    // 2 ** over grows past any cap quickly; stop doubling once the cap is reached.
    const waitMs =
      over <= 0 ? 0 : Math.min(this.options.maxMs, this.options.baseMs * 2 ** Math.min(over - 1, 30));
    this.failures.set(key, { count, lastAt: now, until: now + waitMs });
    return waitMs;
  }
}

/** True at most once per key per `periodMs`: e.g. one audit row per principal per window, not per refused call. */
export class OncePer {
  private readonly last: BoundedMap<string, number>;

  constructor(
    private readonly periodMs: number,
    cap: number,
    private readonly now: () => number = Date.now,
  ) {
    this.last = new BoundedMap(cap);
  }

  first(key: string): boolean {
    const now = this.now();
    const at = this.last.get(key);
    if (at !== undefined && now - at < this.periodMs) return false;
    this.last.set(key, now);
    return true;
  }
}
