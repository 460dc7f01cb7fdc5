import { describe, expect, it } from 'vitest';
import { agentCredentialNames, missingCredential } from './agentCredentials.js';
import { agentKind, agentKinds, agentNames } from './agents.js';
import { TaskSpec } from './schemas/task.js';

describe('agentKinds', () => {
  it('describes every agent the schema accepts', () => {
    expect(Object.keys(agentKinds).sort()).toEqual([...agentNames].sort());
  });

  it('gives every prompt agent MCP wiring and follow-ups, and a command agent neither', () => {
    for (const name of agentNames) {
      const kind = agentKind(name);
      if (kind.input === 'command')
        expect([kind.mcp, kind.followUps, kind.resume]).toEqual([null, false, null]);
      else expect(kind.mcp).not.toBeNull();
    }
  });

  it('is what the task schema checks: a command for shell, a program for acp, a prompt for the rest', () => {
    expect(TaskSpec.safeParse({ agent: 'shell' }).error?.issues[0]?.message).toBe(
      'a shell task needs a command: nexa run -- CMD ARGS...',
    );
    expect(TaskSpec.safeParse({ agent: 'acp', prompt: 'hi' }).error?.issues[0]?.message).toMatch(
      /an acp task needs the agent's command/,
    );
    expect(TaskSpec.safeParse({ agent: 'codex' }).error?.issues[0]?.message).toBe(
      'the codex agent needs a prompt: nexa run "PROMPT" --agent codex',
    );
    expect(TaskSpec.safeParse({ agent: 'claude', prompt: 'hi' }).success).toBe(true);
  });

  it('says which credential an agent lacks, from its row', () => {
    expect(missingCredential('claude', new Set())).toMatch(
      /^no ANTHROPIC_API_KEY or .* passed; see --pass-env$/,
    );
    expect(missingCredential('claude', new Set(['ANTHROPIC_API_KEY']))).toBeUndefined();
    expect(missingCredential('acp', new Set())).toBeUndefined();
    expect(agentCredentialNames).toContain('OPENAI_BASE_URL');
  });
});
