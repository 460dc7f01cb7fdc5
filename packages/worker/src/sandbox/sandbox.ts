import type { Readable } from 'node:stream';
import type { SandboxName } from '@nexa/core';

export interface SpawnRequest {
  argv: string[];
  cwd: string;
  /** The complete environment: sandboxes never add the worker's own. */
  env: Record<string, string>;
}

export interface ExitInfo {
  /** The process's exit code, or 128 + signal number when a signal ended it (as shells report). */
  exitCode: number;
  /** Set when the process could not run or was ended by a signal. */
  reason?: string;
}

export interface SandboxProcess {
  stdout: Readable;
  stderr: Readable;
  wait(): Promise<ExitInfo>;
  /** Signals the process and everything it started. */
  kill(signal?: NodeJS.Signals): void;
}

/** Somewhere a task's processes run. Adding one means one file here and one line in index.ts. */
export interface Sandbox {
  readonly name: SandboxName;
  spawn(request: SpawnRequest): SandboxProcess;
}
