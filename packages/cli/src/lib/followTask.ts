import type { StoredTaskEvent, TaskEvent } from '@nexa/core';
import type { NexaClient } from '../client/createClient.js';

export type FinalStatus = Extract<TaskEvent, { kind: 'status' }>;

/**
 * Streams a task's events from `afterSeq` until its final status event and
 * resolves with that event. The subscription is tracked, so after a dropped
 * connection the client resumes from the last seq it saw.
 */
export function followTask(
  client: NexaClient,
  taskId: string,
  afterSeq: number,
  onEvent: (event: StoredTaskEvent) => void,
): Promise<FinalStatus | undefined> {
  return new Promise((resolve, reject) => {
    let final: FinalStatus | undefined;
    const subscription = client.events.tail.subscribe(
      { taskId, afterSeq },
      {
        onData({ data: event }) {
          onEvent(event);
          if (
            event.kind === 'status' &&
            ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(event.status)
          ) {
            final = event;
          }
        },
        onError(error) {
          subscription.unsubscribe();
          reject(error);
        },
        onComplete() {
          resolve(final);
        },
      },
    );
  });
}

export function printEventJson(taskId: string, event: StoredTaskEvent): void {
  process.stdout.write(`${JSON.stringify({ type: 'event', taskId, ...event })}\n`);
}
