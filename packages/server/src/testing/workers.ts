import type { TaskEvent, TaskEventBody, WorkerMessage } from '@nexa/core';
import { type Harness, registration } from './harness.js';
import { take } from './iterate.js';

export const event = (seq: number, body: TaskEventBody): TaskEvent =>
  ({ ...body, seq, at: Date.now() }) as TaskEvent;

/** A worker connected through workers.connect, reading its session message by message. */
export async function connectWorker(
  harness: Harness,
  name: string,
  options: { agents?: string[]; capacity?: number; projects?: string[] } = {},
) {
  const caller = harness.connection('worker');
  const session = (
    await caller.workers.connect(
      registration({
        name,
        instanceId: `instance-${name}`,
        capacity: options.capacity ?? 4,
        agents: (options.agents ?? ['shell', 'claude']) as never,
        projects: options.projects ?? [],
      }),
    )
  )[Symbol.asyncIterator]();
  const [registered] = (await take(session, 1)) as [Extract<WorkerMessage, { type: 'registered' }>];
  return {
    caller,
    session,
    workerId: registered.workerId,
    next: async () => (await take(session, 1))[0] as WorkerMessage,
    /** The next message of a type, skipping others. */
    nextOf: async <T extends WorkerMessage['type']>(type: T) => {
      for (;;) {
        const [message] = await take(session, 1);
        if (!message) throw new Error(`the session ended before a ${type} message`);
        if (message.type === type) return message as Extract<WorkerMessage, { type: T }>;
      }
    },
  };
}
