import { AsyncQueue, type StoredTaskEvent } from '@nexa/core';

/** How many live events one reader may fall behind before it is sent back to the database. */
export const LIVE_BUFFER_LIMIT = 10_000;

/**
 * In-memory fan-out of newly stored events to the readers tailing a task.
 * It holds nothing durable: a reader that overflows its buffer, or connects
 * late, catches up from the database.
 */
export class LiveFeed {
  private readonly readers = new Map<string, Set<AsyncQueue<StoredTaskEvent>>>();

  subscribe(
    taskId: string,
    limit = LIVE_BUFFER_LIMIT,
  ): { queue: AsyncQueue<StoredTaskEvent>; close(): void } {
    const queue = new AsyncQueue<StoredTaskEvent>(limit);
    let set = this.readers.get(taskId);
    if (!set) {
      set = new Set();
      this.readers.set(taskId, set);
    }
    set.add(queue);
    return {
      queue,
      close: () => {
        queue.end();
        set.delete(queue);
        if (set.size === 0 && this.readers.get(taskId) === set) this.readers.delete(taskId);
      },
    };
  }

  publish(taskId: string, events: readonly StoredTaskEvent[]): void {
    const set = this.readers.get(taskId);
    if (!set) return;
    for (const queue of set) for (const event of events) queue.push(event);
  }

  readerCount(taskId: string): number {
    return this.readers.get(taskId)?.size ?? 0;
  }
}
