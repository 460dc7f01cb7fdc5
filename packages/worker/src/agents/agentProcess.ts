import type { Readable } from 'node:stream';
import type { SandboxProcess } from '../sandbox/index.js';
import type { EventSink } from './agent.js';

/** Copies a process stream into output events, pausing the process while the sink is full. */
export function pipeOutput(stream: Readable, name: 'stdout' | 'stderr', events: EventSink): Promise<void> {
  return new Promise((resolve) => {
    stream.on('data', (data: string) => {
      if (!events.emit({ kind: 'output', stream: name, data })) {
        stream.pause();
        void events.writable().then(() => stream.resume());
      }
    });
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
}

/**
 * How every agent's process is stopped: `terminate()` sends SIGTERM to its
 * group and SIGKILL after the grace period if anything still runs; `end()`,
 * once the run is over, kills whatever the agent left behind and clears the timer.
 */
export function termination(child: SandboxProcess, graceMs: number): { terminate(): void; end(): void } {
  let killTimer: NodeJS.Timeout | undefined;
  return {
    terminate() {
      if (killTimer) return;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    },
    end() {
      clearTimeout(killTimer);
      child.kill('SIGKILL');
    },
  };
}
