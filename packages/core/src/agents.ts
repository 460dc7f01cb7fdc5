/**
 * Every agent Nexa can run: `shell` runs a command; the others run a coding
 * agent on a prompt. The names live here with the table (the task schema
 * reads them), so what an agent is never depends on the schemas.
 */
export const agentNames = ['shell', 'claude', 'codex', 'acp'] as const;
type AgentName = (typeof agentNames)[number];

/**
 * Where an agent's CLI finds its model account. A task sees none of the
 * worker's environment and has its own HOME, so a login kept in the user's
 * home never reaches it: one of `any` must be passed (--pass-env) for the agent
 * to run at all; `also` are settings it reads when they are there.
 */
export interface AgentCredentials {
  /** One of these must be passed: an API key, a token, or a config dir that holds a login. */
  any: readonly string[];
  /** Passed along when set (another endpoint, a model), never required. */
  also: readonly string[];
}

/**
 * How an agent is handed `nexa mcp`: Claude Code reads an --mcp-config file,
 * an ACP agent takes `mcpServers` in session/new, Codex takes its
 * `mcp_servers` config through -c overrides.
 */
export type AgentMcpWiring = 'claude-config' | 'acp-session' | 'codex-config';

/**
 * How a finished agent's session is picked up again (`nexa continue`): Claude
 * Code `--resume ID`, ACP `session/load` (when the agent says it can), Codex
 * `thread/resume`.
 */
export type AgentResume = 'claude-resume' | 'acp-load' | 'codex-thread';

/**
 * An agent's network default and its model provider: the host it may reach
 * under `allowlist` is the one in the first of `baseUrlEnv` the worker passes
 * (a proxy, a gateway, a test server), else `hosts`.
 */
export interface AgentEgress {
  default: 'none' | 'allowlist';
  baseUrlEnv: readonly string[];
  hosts: readonly string[];
}

/** What an agent is, once: the CLI, the scheduler and the worker read this instead of naming agents. */
export interface AgentKind {
  /** What a task gives it: a command to run, or a prompt for a coding agent. */
  input: 'command' | 'prompt';
  /** The CLI a worker looks for on PATH (--agent-bin names another); null: none, or the task names it. */
  binary: string | null;
  /** The task's command is the agent's own program (`--agent-cmd "claude-agent-acp"`). */
  needsCommand: boolean;
  /**
   * Where its sandbox may connect unless the task says otherwise: `none` for a
   * command; `allowlist` for an agent, whose model is across the network, so a
   * prompt-injected agent reaches its provider and nothing else.
   */
  egress: AgentEgress;
  /** What the worker must pass for it to reach its model; null: nothing it can check. */
  credentials: AgentCredentials | null;
  /** How it takes `nexa mcp` as an MCP server; null: it speaks no MCP. */
  mcp: AgentMcpWiring | null;
  /** How a finished session resumes; null: it cannot be continued. */
  resume: AgentResume | null;
  /** A running agent takes more user turns (a person's message in its thread). */
  followUps: boolean;
}

/**
 * Every agent, described once (claude-code 2.x, codex 0.1xx, any ACP agent).
 * Adding an agent: one row here, one adapter file in the worker's agents/ and
 * one line in its `agents` record. An `acp` task names its own agent command,
 * whose credentials the worker cannot know, so they are not checked.
 */
export const agentKinds = {
  shell: {
    input: 'command',
    binary: null,
    needsCommand: false,
    egress: { default: 'none', baseUrlEnv: [], hosts: [] },
    credentials: null,
    mcp: null,
    resume: null,
    followUps: false,
  },
  claude: {
    input: 'prompt',
    binary: 'claude',
    needsCommand: false,
    egress: { default: 'allowlist', baseUrlEnv: ['ANTHROPIC_BASE_URL'], hosts: ['api.anthropic.com:443'] },
    credentials: {
      any: ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'CLAUDE_CONFIG_DIR'],
      also: ['ANTHROPIC_BASE_URL', 'ANTHROPIC_MODEL', 'ANTHROPIC_SMALL_FAST_MODEL'],
    },
    mcp: 'claude-config',
    resume: 'claude-resume',
    followUps: true,
  },
  codex: {
    input: 'prompt',
    binary: 'codex',
    needsCommand: false,
    egress: { default: 'allowlist', baseUrlEnv: ['OPENAI_BASE_URL'], hosts: ['api.openai.com:443'] },
    credentials: {
      // CODEX_HOME holds codex's config.toml and login (auth.json), which may name a key of its own.
      any: ['OPENAI_API_KEY', 'CODEX_API_KEY', 'CODEX_HOME'],
      also: ['OPENAI_BASE_URL'],
    },
    mcp: 'codex-config',
    resume: 'codex-thread',
    followUps: true,
  },
  acp: {
    input: 'prompt',
    binary: null,
    needsCommand: true,
    // Any ACP agent: most speak to Anthropic or OpenAI; --allow-host names another.
    egress: {
      default: 'allowlist',
      baseUrlEnv: ['ANTHROPIC_BASE_URL', 'OPENAI_BASE_URL'],
      hosts: ['api.anthropic.com:443', 'api.openai.com:443'],
    },
    credentials: null,
    mcp: 'acp-session',
    resume: 'acp-load',
    followUps: true,
  },
} as const satisfies Record<AgentName, AgentKind>;

/** The row of one agent, typed as the general shape (so callers need no narrowing). */
export function agentKind(agent: AgentName): AgentKind {
  return agentKinds[agent];
}
