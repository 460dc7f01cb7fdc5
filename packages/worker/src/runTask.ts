import type { Assignment } from '@nexa/core';
import { agents } from './agents/index.js';
import type { TaskEventStream } from './eventStream.js';
import { sandboxes } from './sandbox/index.js';
import { taskEnv } from './taskEnv.js';
import { createWorkspace, removeWorkspace } from './workspace.js';

export interface RunTaskOptions {
  assignment: Assignment;
  events: TaskEventStream;
  workRoot: string;
  signal: AbortSignal;
}

/**
 * Runs one attempt of a task from start to final status: working copy,
 * sandbox, agent, then the final `status` event, and waits until the
 * coordinator has acknowledged every event.
 */
export async function runTask({ assignment, events, workRoot, signal }: RunTaskOptions): Promise<void> {
  const { spec, taskId, attempt } = assignment;
  events.emit({ kind: 'status', status: 'running' });
  let workdir: string | undefined;
  try {
    workdir = await createWorkspace(workRoot, taskId, attempt);
    const exit = await agents[spec.agent].run({
      spec,
      workdir,
      env: taskEnv(spec, workdir),
      sandbox: sandboxes.process,
      events,
      signal,
    });
    const stopped = signal.aborted ? 'the worker stopped' : undefined;
    const reason = stopped ?? exit.reason;
    if (reason) events.emit({ kind: 'error', message: reason });
    events.emit({
      kind: 'status',
      status: exit.exitCode === 0 && !stopped ? 'succeeded' : 'failed',
      exitCode: exit.exitCode,
      ...(reason ? { reason } : {}),
    });
  } catch (error) {
    const message = `the worker could not run the task: ${(error as Error).message}`;
    events.emit({ kind: 'error', message });
    events.emit({ kind: 'status', status: 'failed', exitCode: null, reason: message });
  } finally {
    await events.drained();
    if (workdir) await removeWorkspace(workdir);
  }
}
