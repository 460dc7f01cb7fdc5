import type { ThreadMessage } from '@nexa/core';

/**
 * Messages people post in a running task's thread, waiting for the agent's
 * turn to end: an agent takes the next one as its next user turn, and ends
 * only when none is left. Delivered between turns, never into one, so every
 * message is one turn whatever the agent does with input mid-turn.
 */
export class FollowUpInbox {
  private readonly queue: string[] = [];
  private closed = false;

  /** Queues a message as the text the agent gets; false once the run no longer takes any. */
  push(message: ThreadMessage): boolean {
    if (this.closed) return false;
    this.queue.push(followUpText(message));
    return true;
  }

  /** The next waiting follow-up, or undefined when there is none. */
  take(): string | undefined {
    return this.queue.shift();
  }

  get pending(): number {
    return this.queue.length;
  }

  /** The run is ending: later messages stay in the thread for `nexa continue`. */
  close(): void {
    this.closed = true;
  }
}

/** What the agent reads: who wrote it and where, then the body. */
export function followUpText(message: ThreadMessage): string {
  const who = message.author.kind === 'person' ? message.author.name : `${message.author.name} (agent)`;
  return `Message from ${who} in thread ${message.threadId}:\n\n${message.body}`;
}
