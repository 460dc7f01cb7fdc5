import type { AgentName } from '@nexa/core';
import type { Agent } from './agent.js';
import { shellAgent } from './shell.js';

export type { Agent, AgentRun, EventSink, TaskSandbox } from './agent.js';

export const agents: Record<AgentName, Agent> = {
  shell: shellAgent,
};
