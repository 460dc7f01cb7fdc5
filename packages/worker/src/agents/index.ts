import type { AgentName } from '@nexa/core';
import { acpAgent } from './acp.js';
import type { Agent } from './agent.js';
import { claudeAgent } from './claude.js';
import { codexAgent } from './codex.js';
import { shellAgent } from './shell.js';

export type { Agent, AgentRun, ApprovalGate, ApprovalRequest, EventSink, TaskSandbox } from './agent.js';

export const agents: Record<AgentName, Agent> = {
  shell: shellAgent,
  claude: claudeAgent,
  codex: codexAgent,
  acp: acpAgent,
};
