import { isTerminalStatus } from '@nexa/core';
import type { EventLog } from './eventLog.js';
import { isFinalEvent } from './eventLog.js';
import type { LiveFeed } from './liveFeed.js';
import type { TaskRow } from './taskRows.js';
import type { TaskService } from './tasks.js';

/** What a parent (or a person) reads of a task that ran: `tasks.result` and `tasks.finished`. */
export class TaskResults {
  constructor(
    private readonly tasks: TaskService,
    private readonly events: EventLog,
    private readonly feed: LiveFeed,
  ) {}

  /** The agent's last message (its answer, for most agents), or null. */
  async lastMessage(taskId: string): Promise<string | null> {
    const event = await this.events.latest(taskId, 'agent_message');
    return event?.kind === 'agent_message' ? event.text : null;
  }

  /**
   * Resolves with the task's row once it is in a final status (at once if it
   * is): woken by its status events on the live feed, never by polling.
   */
  async finished(taskId: string, signal: AbortSignal | undefined): Promise<TaskRow | undefined> {
    while (!signal?.aborted) {
      // Subscribe before reading the row: an end committed in between is on the feed.
      const live = this.feed.subscribe(taskId);
      const stop = () => live.close();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        const row = await this.tasks.mustRow(taskId);
        if (isTerminalStatus(row.status)) return row;
        for await (const event of live.queue) {
          if (isFinalEvent(event)) break;
        }
        // A final event, an overflow or an abort: read the row again (a retry may have begun).
      } finally {
        signal?.removeEventListener('abort', stop);
        live.close();
      }
    }
    return undefined;
  }
}
