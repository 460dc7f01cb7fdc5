import { AsyncQueue, limits } from '@nexa/core';

/**
 * In-memory fan-out of committed changes to the readers of one key (a
 * thread, a project's store). Nothing durable: a reader whose bounded queue
 * overflows is ended with `overflowed` and catches up from the database.
 */
export class KeyedFeed<T> {
  private readonly readers = new Map<string, Set<AsyncQueue<T>>>();

  constructor(private readonly sizeOf: (item: T) => number) {}

  subscribe(
    key: string,
    limit: number = limits.listing.liveEvents,
    maxBytes: number = limits.listing.liveBytes,
  ): { queue: AsyncQueue<T>; close(): void } {
    const queue = new AsyncQueue<T>(limit, maxBytes);
    let set = this.readers.get(key);
    if (!set) {
      set = new Set();
      this.readers.set(key, set);
    }
    set.add(queue);
    return {
      queue,
      close: () => {
        queue.end();
        set.delete(queue);
        if (set.size === 0 && this.readers.get(key) === set) this.readers.delete(key);
      },
    };
  }

  publish(key: string, item: T): void {
    const set = this.readers.get(key);
    if (!set) return;
    const size = this.sizeOf(item);
    for (const queue of set) queue.push(item, size);
  }

  readerCount(key: string): number {
    return this.readers.get(key)?.size ?? 0;
  }
}
