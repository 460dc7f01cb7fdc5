import type { Readable } from 'node:stream';
import type { Agent, AgentRun, EventSink } from './agent.js';

/** Copies a process stream into output events, pausing the process when the sink is full. */
function pipeOutput(stream: Readable, name: 'stdout' | 'stderr', events: EventSink): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on('data', (data: string) => {
      if (!events.emit({ kind: 'output', stream: name, data })) {
        stream.pause();
        void events.writable().then(() => stream.resume());
      }
    });
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', reject);
  });
}

/** Any command: argv in, stdout and stderr out as they come, exit code at the end. */
export const shellAgent: Agent = {
  name: 'shell',
  async run({ spec, workdir, env, sandbox, events, signal, graceMs }: AgentRun) {
    const child = sandbox.spawn({ argv: spec.command, workdir, env });
    let killTimer: NodeJS.Timeout | undefined;
    // SIGTERM first; whatever still runs after the grace period gets SIGKILL.
    const stop = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    try {
      const [exit] = await Promise.all([
        child.wait(),
        pipeOutput(child.stdout, 'stdout', events),
        pipeOutput(child.stderr, 'stderr', events),
      ]);
      return exit;
    } finally {
      clearTimeout(killTimer);
      signal.removeEventListener('abort', stop);
      child.kill('SIGKILL'); // anything the command left behind in its group
    }
  },
};
