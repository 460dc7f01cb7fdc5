import type { Agent } from './agent.js';

/** Being built: see issue 5. */
export const codexAgent: Agent = {
  name: 'codex',
  run: async () => ({ exitCode: 125, reason: 'the codex agent is not built yet' }),
};
