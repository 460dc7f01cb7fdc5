import { AsyncQueue, limits, type StoredTaskEvent } from '@nexa/core';

/** How many live events one reader may fall behind before it is sent back to the database. */
export const LIVE_BUFFER_LIMIT = limits.listing.liveEvents;

/** What an event costs a reader's buffer: its big strings, and a little for the rest. */
export function eventSize(event: StoredTaskEvent): number {
  switch (event.kind) {
    case 'output':
      return event.data.length + 64;
    case 'artifact':
      return event.patch.length + event.stat.length + 256;
    case 'agent_message':
      return event.text.length + 64;
    case 'tool_result':
      return event.output.length + 64;
    default:
      return JSON.stringify(event).length;
  }
}

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
    maxBytes: number = limits.listing.liveBytes,
  ): { queue: AsyncQueue<StoredTaskEvent>; close(): void } {
    const queue = new AsyncQueue<StoredTaskEvent>(limit, maxBytes);
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
    const sizes = events.map(eventSize);
    for (const queue of set) {
      for (const [i, event] of events.entries()) queue.push(event, sizes[i]);
    }
  }

  readerCount(taskId: string): number {
    return this.readers.get(taskId)?.size ?? 0;
  }
}
