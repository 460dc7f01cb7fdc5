import type { AgentName, TaskEventBody, TaskSpec } from '@nexa/core';
import type { ExitInfo, SandboxProcess, SpawnRequest } from '../sandbox/index.js';

/** Where an agent sends what it does; `emit` returns false when the caller should slow down. */
export interface EventSink {
  emit(event: TaskEventBody): boolean;
  /** Resolves once the sink has room again after `emit` returned false. */
  writable(): Promise<void>;
}

/** A sandbox already set up with the task's network, limits and image: agents only say what to run. */
export interface TaskSandbox {
  name: string;
  spawn(request: Pick<SpawnRequest, 'argv' | 'workdir' | 'env'>): SandboxProcess;
}

export interface AgentRun {
  spec: TaskSpec;
  workdir: string;
  env: Record<string, string>;
  sandbox: TaskSandbox;
  events: EventSink;
  /** Aborted when the agent must stop (cancel, timeout, shutdown): it gets `graceMs` to end cleanly. */
  signal: AbortSignal;
  graceMs: number;
}

/** Turns one agent's own stream into Nexa events. Adding one means one file here and one line in index.ts. */
export interface Agent {
  readonly name: AgentName;
  run(run: AgentRun): Promise<ExitInfo>;
}
