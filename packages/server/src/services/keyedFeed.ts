import { AsyncQueue, limits } from '@nexa/core';

/**
 * In-memory fan-out of committed changes to the readers of one key (a task's
 * log, a thread, a project's store). Nothing durable: a reader whose bounded
 * queue overflows, or connects late, catches up from the database.
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
    this.publishAll(key, [item]);
  }

  /** Items committed together, in order; each sized once whatever the number of readers. */
  publishAll(key: string, items: readonly T[]): void {
    const set = this.readers.get(key);
    if (!set) return;
    const sizes = items.map(this.sizeOf);
    for (const queue of set) {
      for (const [i, item] of items.entries()) queue.push(item, sizes[i]);
    }
  }

  readerCount(key: string): number {
    return this.readers.get(key)?.size ?? 0;
  }
}
