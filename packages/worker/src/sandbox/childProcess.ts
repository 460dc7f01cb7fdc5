import type { ChildProcessByStdio } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { ExitInfo, SandboxProcess } from './sandbox.js';

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

function signalNumber(signal: string): number {
  return (constants.signals as Record<string, number>)[signal] ?? 0;
}

/**
 * A child process (spawned `detached`, so it leads its own process group) as
 * a SandboxProcess: text streams, an exit code as shells report it (128 + N
 * for signal N, 127 for a command not found), and kill() reaching the whole
 * group. `onClose` may report a different end (e.g. the memory limit).
 */
export function sandboxProcess(
  child: Child,
  file: string,
  keepStdin: boolean | undefined,
  onClose?: () => ExitInfo | undefined,
): SandboxProcess {
  // A task that exits without reading its stdin must not crash the worker with EPIPE.
  child.stdin.on('error', () => {});
  if (!keepStdin) child.stdin.end(); // an empty stdin, as for a command run from cron
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
      const other = onClose?.();
      if (other) resolve(other);
      else if (signal) resolve({ exitCode: 128 + signalNumber(signal), reason: `killed by ${signal}` });
      else resolve({ exitCode: code ?? 1 });
    });
  });
  return {
    stdin: child.stdin,
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
}
