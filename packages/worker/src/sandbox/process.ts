import { spawn } from 'node:child_process';
import { sandboxProcess } from './childProcess.js';
import type { Sandbox, SandboxProcess, SpawnRequest } from './sandbox.js';

/**
 * A plain child process: no walls beyond its own working directory and
 * environment. Uses node's spawn directly rather than execa: this is the
 * dispatch hot path, and execa's setup costs about a millisecond per task.
 */
export const processSandbox: Sandbox = {
  name: 'process',
  system: 'host',
  probe: async () => true,
  spawn({ argv, workdir, env, stdin }: SpawnRequest): SandboxProcess {
    const [file, ...args] = argv as [string, ...string[]];
    // Its own process group, so a stop reaches everything the task started, not just its first process.
    const child = spawn(file, args, { cwd: workdir, env, stdio: 'pipe', detached: true });
    return sandboxProcess(child, file, stdin);
  },
};
