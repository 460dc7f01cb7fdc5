/**
 * An unbounded-or-bounded FIFO that one consumer reads with `for await`.
 * When a bound (count or bytes) is set and a push would exceed it, the queue drops what it
 * holds and ends with `overflowed = true`, so a slow reader never grows
 * memory without limit; the reader then catches up from durable storage.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private sizes: number[] = [];
  private bytes = 0;
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private ended = false;
  overflowed = false;

  /** `limit` bounds how many items it holds, `maxBytes` their total size as given to `push`. */
  constructor(
    private readonly limit = Number.POSITIVE_INFINITY,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  push(item: T, bytes = 0): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: item, done: false });
      return;
    }
    if (this.items.length >= this.limit || this.bytes + bytes > this.maxBytes) {
      this.overflowed = true;
      this.items = [];
      this.sizes = [];
      this.bytes = 0;
      this.end();
      return;
    }
    this.items.push(item);
    this.sizes.push(bytes);
    this.bytes += bytes;
  }

  /** Ends the queue; a reader drains what is left, then stops. */
  end(): void {
    this.ended = true;
    if (this.waiting && this.items.length === 0) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: undefined, done: true });
    }
  }

  get size(): number {
    return this.items.length;
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) {
      this.bytes -= this.sizes.shift() ?? 0;
      return Promise.resolve({ value: item, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: () => {
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
