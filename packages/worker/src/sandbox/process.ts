import { constants } from 'node:os';
import { execa } from 'execa';
import type { ExitInfo, Sandbox, SandboxProcess, SpawnRequest } from './sandbox.js';

function signalNumber(signal: string): number {
  return (constants.signals as Record<string, number>)[signal] ?? 0;
}

/** A plain child process: no walls beyond its own working directory and environment. */
export const processSandbox: Sandbox = {
  name: 'process',
  spawn({ argv, cwd, env }: SpawnRequest): SandboxProcess {
    const [file, ...args] = argv as [string, ...string[]];
    const child = execa(file, args, {
      cwd,
      env,
      extendEnv: false,
      stdin: 'ignore',
      buffer: false,
      reject: false,
      encoding: 'utf8',
      stripFinalNewline: false,
    });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    return {
      stdout: child.stdout,
      stderr: child.stderr,
      async wait(): Promise<ExitInfo> {
        const result = await child;
        if (result.signal) {
          return { exitCode: 128 + signalNumber(result.signal), reason: `killed by ${result.signal}` };
        }
        if (result.exitCode === undefined) {
          const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
          const notFound = code === 'ENOENT';
          return {
            exitCode: notFound ? 127 : 126,
            reason: notFound
              ? `command not found: ${file}`
              : `could not start ${file}: ${result.shortMessage}`,
          };
        }
        return { exitCode: result.exitCode };
      },
      kill(signal: NodeJS.Signals = 'SIGTERM') {
        child.kill(signal);
      },
    };
  },
};
