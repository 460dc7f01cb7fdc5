import { describe, expect, it } from 'vitest';
import { TaskSpec } from './task.js';

describe('TaskSpec', () => {
  it('fills defaults for a bare command', () => {
    expect(TaskSpec.parse({ command: ['echo', 'hi'] })).toEqual({
      project: 'default',
      agent: 'shell',
      command: ['echo', 'hi'],
      prompt: null,
      policy: null,
      approve: 'ask',
      approvalTimeoutMs: 600_000,
      env: {},
      labels: {},
      priority: 0,
      maxAttempts: 2,
      timeoutMs: null,
      graceMs: 10_000,
      repo: null,
      sandbox: null,
      image: null,
      network: 'none',
      allowHosts: [],
      secrets: [],
      limits: {},
    });
  });

  it('refuses a project name a person could not type or that could fake a path', () => {
    const problem = (project: string) =>
      TaskSpec.safeParse({ command: ['true'], project }).error?.issues[0]?.message;
    expect(problem('web-app')).toBeUndefined();
    expect(problem('Web App')).toMatch(/a project name is lower-case letters/);
    expect(problem('../etc')).toMatch(/a project name/);
    expect(problem('x'.repeat(64))).toMatch(/at most 63/);
  });

  it('rejects bad environment names with a readable message', () => {
    const result = TaskSpec.safeParse({ command: ['true'], env: { 'BAD-NAME': 'x' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/letters, digits and _/);
  });

  it('asks a shell task for a command and a coding agent for a prompt', () => {
    const problem = (input: object) => TaskSpec.safeParse(input).error?.issues[0]?.message;
    expect(problem({})).toBe('a shell task needs a command: nexa run -- CMD ARGS...');
    expect(problem({ agent: 'claude' })).toBe(
      'the claude agent needs a prompt: nexa run "PROMPT" --agent claude',
    );
    expect(problem({ agent: 'acp', prompt: 'hi' })).toMatch(/--agent-cmd/);
    expect(TaskSpec.parse({ agent: 'codex', prompt: 'fix it' })).toMatchObject({
      agent: 'codex',
      command: [],
    });
  });
});

describe('env values', () => {
  it('refuse a NUL, which no environment can hold and NUL-separated sandbox options would split on', () => {
    const result = TaskSpec.safeParse({ command: ['true'], env: { EVIL: 'x\0--bind\0/\0/host' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('an env value may not contain a NUL character');
  });
});
