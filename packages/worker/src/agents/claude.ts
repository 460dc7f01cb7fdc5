import type { Agent } from './agent.js';

/** Being built: see issue 5. */
export const claudeAgent: Agent = {
  name: 'claude',
  run: async () => ({ exitCode: 125, reason: 'the claude agent is not built yet' }),
};
