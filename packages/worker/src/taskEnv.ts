import type { TaskSpec } from '@nexa/core';

const fallbackPath = '/usr/local/bin:/usr/bin:/bin';

/**
 * A task sees a minimal environment, which task it is, and what it set;
 * never the worker's own variables.
 */
export function taskEnv(
  spec: TaskSpec,
  workdir: string,
  task: { taskId: string; attempt: number },
  workerEnv = process.env,
): Record<string, string> {
  return {
    PATH: workerEnv.PATH || fallbackPath,
    HOME: workdir,
    LANG: workerEnv.LANG || 'C.UTF-8',
    NEXA_TASK_ID: task.taskId,
    NEXA_ATTEMPT: String(task.attempt),
    ...spec.env,
  };
}
