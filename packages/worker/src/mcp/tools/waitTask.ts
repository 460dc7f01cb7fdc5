import { z } from 'zod';
import { defineTool, reads } from '../tool.js';
import { timeoutSeconds, waitMs, waitOnSubscription } from '../waiting.js';
import { taskForModel } from './taskStatus.js';

const DEFAULT_SECONDS = 600;

export const waitTask = defineTool({
  name: 'wait_task',
  title: 'Wait for a task',
  description:
    'Block until a task ends (or timeout_seconds pass), then return its final status, exit code and its agent\'s last message. Example: {"task_id": "t-01jabc", "timeout_seconds": 900}',
  inputSchema: {
    task_id: z.string().describe('The task to wait for, e.g. one spawn_task started.'),
    timeout_seconds: timeoutSeconds(DEFAULT_SECONDS),
  },
  annotations: reads,
  async run(input, { client, signal, waitLimitMs }) {
    const timeoutMs = waitMs(input.timeout_seconds ?? DEFAULT_SECONDS, waitLimitMs);
    const waited = await waitOnSubscription(
      (handlers) => client.tasks.finished.subscribe({ id: input.task_id }, handlers),
      (task) => task,
      timeoutMs,
      signal,
    );
    if ('timedOut' in waited) {
      const task = await client.tasks.get.query({ id: input.task_id });
      return { timedOut: true, waitedSeconds: Math.round(timeoutMs / 1000), ...taskForModel(task) };
    }
    const { task, lastMessage } = await client.tasks.result.query({ id: input.task_id });
    return { ...taskForModel(task), lastMessage };
  },
});
