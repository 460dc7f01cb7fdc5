import { NexaError, type Task } from '@nexa/core';
import { z } from 'zod';
import { defineTool, reads } from '../tool.js';

/** A task as a tool returns it to a model: what it is and where it stands. */
export function taskForModel(t: Task) {
  return {
    id: t.id,
    agent: t.agent,
    status: t.status,
    exitCode: t.exitCode,
    reason: t.reason,
    worker: t.workerName,
    parentId: t.parentId,
    lastLine: t.lastLine,
  };
}

export const taskStatus = defineTool({
  name: 'task_status',
  title: 'Task status',
  description:
    'A task\'s status (queued, running, succeeded, failed, cancelled, timed_out...), exit code, worker and sub-tasks; without task_id, your own task. Example: {"task_id": "t-01jabc"}',
  inputSchema: { task_id: z.string().optional().describe('The task; default: your own.') },
  annotations: reads,
  async run(input, { client, identity }) {
    const id = input.task_id ?? (await identity()).taskId;
    if (!id) throw new NexaError('invalid_input', 'no task_id given, and this token belongs to no task');
    const task = await client.tasks.get.query({ id });
    return { ...taskForModel(task), children: task.children.map(taskForModel) };
  },
});
