import type { TaskSpec } from '@nexa/core';

const fallbackPath = '/usr/local/bin:/usr/bin:/bin';

/** A task sees only a minimal environment plus what it set: never the worker's own variables. */
export function taskEnv(spec: TaskSpec, workdir: string, workerEnv = process.env): Record<string, string> {
  return {
    PATH: workerEnv.PATH || fallbackPath,
    HOME: workdir,
    LANG: workerEnv.LANG || 'C.UTF-8',
    ...spec.env,
  };
}
