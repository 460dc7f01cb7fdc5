import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { ExitInfo, Sandbox, SandboxProcess, SpawnRequest } from './sandbox.js';

function signalNumber(signal: string): number {
  return (constants.signals as Record<string, number>)[signal] ?? 0;
}

/**
 * A plain child process: no walls beyond its own working directory and
 * environment. Uses node's spawn directly rather than execa: this is the
 * dispatch hot path, and execa's setup costs about a millisecond per task.
 */
export const processSandbox: Sandbox = {
  name: 'process',
  probe: async () => true,
  spawn({ argv, workdir: cwd, env }: SpawnRequest): SandboxProcess {
    const [file, ...args] = argv as [string, ...string[]];
    // Its own process group, so a stop reaches everything the task started, not just its first process.
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    const exit = new Promise<ExitInfo>((resolve) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        const notFound = error.code === 'ENOENT';
        resolve({
          exitCode: notFound ? 127 : 126,
          reason: notFound ? `command not found: ${file}` : `could not start ${file}: ${error.message}`,
        });
      });
      child.once('close', (code, signal) => {
        if (signal) resolve({ exitCode: 128 + signalNumber(signal), reason: `killed by ${signal}` });
        else resolve({ exitCode: code ?? 1 });
      });
    });
    return {
      stdout: child.stdout,
      stderr: child.stderr,
      wait: () => exit,
      kill(signal: NodeJS.Signals = 'SIGTERM') {
        if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
        try {
          process.kill(-child.pid, signal);
        } catch {
          // the group is already gone
        }
      },
    };
  },
};
