import type { StoredTaskEvent, TaskDetail } from '@nexa/core';
import { createNexaClient } from '@nexa/core/client';
import type { AppRouter } from '@nexa/server';

/**
 * The test's own view of a coordinator, over its public API: submit tasks
 * quickly, read their state, and wait for events or states without sleeping.
 */
export function observe(url: string, token: string) {
  // Queries over HTTP, event waits over a WebSocket opened by the first: as the CLI reaches it.
  const { client: api, close } = createNexaClient<AppRouter>({ server: url, token, transport: 'http' });

  return {
    api,
    task: (id: string): Promise<TaskDetail> => api.tasks.get.query({ id }),

    /** Resolves with the first event of the task that matches (past or future). */
    waitForEvent(taskId: string, match: (event: StoredTaskEvent) => boolean): Promise<StoredTaskEvent> {
      return new Promise((resolve, reject) => {
        const subscription = api.events.tail.subscribe(
          { taskId },
          {
            onData: ({ data }) => {
              if (match(data)) {
                resolve(data); // before unsubscribing, which completes the subscription
                subscription.unsubscribe();
              }
            },
            onError: reject,
            onComplete: () => reject(new Error(`task ${taskId} ended without a matching event`)),
          },
        );
      });
    },

    /** Polls the task (its state has no event of its own for every change) until it matches. */
    async waitForTask(
      id: string,
      match: (task: TaskDetail) => boolean,
      timeoutMs = 60_000,
    ): Promise<TaskDetail> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const task = await api.tasks.get.query({ id });
        if (match(task)) return task;
        if (Date.now() > deadline)
          throw new Error(`task ${id} never matched; last seen: ${JSON.stringify(task)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },

    close,
  };
}

export type Observer = ReturnType<typeof observe>;
