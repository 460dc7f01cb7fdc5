import type { AgentName } from './schemas/task.js';

/**
 * Where a coding agent's CLI finds its model account. A task sees none of the
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
 * What each agent reads, from its CLI (claude-code 2.x, codex 0.1xx). `shell`
 * needs nothing; an `acp` task names its own agent command, whose needs the
 * worker cannot know, so it is not checked.
 */
export const agentCredentials: Record<AgentName, AgentCredentials | null> = {
  shell: null,
  claude: {
    any: ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'CLAUDE_CONFIG_DIR'],
    also: ['ANTHROPIC_BASE_URL', 'ANTHROPIC_MODEL', 'ANTHROPIC_SMALL_FAST_MODEL'],
  },
  codex: {
    // CODEX_HOME holds codex's config.toml and login (auth.json), which may name a key of its own.
    any: ['OPENAI_API_KEY', 'CODEX_API_KEY', 'CODEX_HOME'],
    also: ['OPENAI_BASE_URL'],
  },
  acp: null,
};

/** Every variable some agent reads: what `nexa up` passes to its local worker when it is set. */
export const agentCredentialNames: readonly string[] = [
  ...new Set(
    Object.values(agentCredentials).flatMap((needs) => (needs ? [...needs.any, ...needs.also] : [])),
  ),
];

/**
 * Why an agent cannot run with these variables passed, or undefined when it can:
 * "no ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, ... passed; see --pass-env".
 */
export function missingCredential(agent: AgentName, passed: ReadonlySet<string>): string | undefined {
  const needs = agentCredentials[agent];
  if (!needs || needs.any.some((name) => passed.has(name))) return undefined;
  return `no ${needs.any.join(' or ')} passed; see --pass-env`;
}
