import type { Agent } from './agent.js';

/** Being built: see issue 5. */
export const acpAgent: Agent = {
  name: 'acp',
  run: async () => ({ exitCode: 125, reason: 'the acp agent is not built yet' }),
};
