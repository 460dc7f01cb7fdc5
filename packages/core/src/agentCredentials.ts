import { agentKind, agentKinds } from './agents.js';
import type { AgentName } from './schemas/task.js';

export type { AgentCredentials } from './agents.js';

/** Every variable some agent reads: what `nexa up` passes to its local worker when it is set. */
export const agentCredentialNames: readonly string[] = [
  ...new Set(
    Object.values(agentKinds).flatMap(({ credentials }) =>
      credentials ? [...credentials.any, ...credentials.also] : [],
    ),
  ),
];

/**
 * Why an agent cannot run with these variables passed, or undefined when it can:
 * "no ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, ... passed; see --pass-env".
 */
export function missingCredential(agent: AgentName, passed: ReadonlySet<string>): string | undefined {
  const needs = agentKind(agent).credentials;
  if (!needs || needs.any.some((name) => passed.has(name))) return undefined;
  return `no ${needs.any.join(' or ')} passed; see --pass-env`;
}
