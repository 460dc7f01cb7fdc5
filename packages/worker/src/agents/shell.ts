import type { Agent, AgentRun } from './agent.js';
import { pipeOutput, termination } from './agentProcess.js';

/** Any command: argv in, stdout and stderr out as they come, exit code at the end. */
export const shellAgent: Agent = {
  name: 'shell',
  async run({ spec, workdir, env, sandbox, events, signal, graceMs }: AgentRun) {
    const child = sandbox.spawn({ argv: spec.command, workdir, env });
    const stopping = termination(child, graceMs);
    const stop = () => stopping.terminate();
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
      signal.removeEventListener('abort', stop);
      stopping.end(); // anything the command left behind in its group
    }
  },
};
