import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitCommand, type TaskFlags, taskSpecFromFlags } from './taskSpecFlags.js';

const base: TaskFlags = {
  agent: 'shell',
  approve: 'ask',
  'approval-timeout': '10m',
  env: [],
  label: [],
  priority: 0,
  retries: 1,
  grace: '10s',
};

describe('nexa run flags → task spec', () => {
  it('reads durations, sizes, labels and env the way people write them', () => {
    const spec = taskSpecFromFlags(
      {
        ...base,
        env: ['A=1', 'B=x=y'],
        label: ['gpu=1'],
        retries: 0,
        timeout: '1m30s',
        grace: '2s',
        memory: '512m',
        cpus: '0.5',
        pids: 64,
        network: 'open',
        sandbox: 'bwrap',
      },
      ['make', 'test'],
    );
    expect(spec).toMatchObject({
      command: ['make', 'test'],
      env: { A: '1', B: 'x=y' },
      labels: { gpu: '1' },
      maxAttempts: 1,
      timeoutMs: 90_000,
      graceMs: 2000,
      limits: { memoryBytes: 512 * 1024 * 1024, cpus: 0.5, pids: 64 },
      network: 'open',
      sandbox: 'bwrap',
    });
  });

  it('makes a local repository path absolute and leaves URLs alone', () => {
    expect(taskSpecFromFlags({ ...base, repo: 'some/dir' }, ['true']).repo).toBe(resolve('some/dir'));
    expect(taskSpecFromFlags({ ...base, repo: 'https://example.com/r.git' }, ['true']).repo).toBe(
      'https://example.com/r.git',
    );
    expect(taskSpecFromFlags({ ...base, repo: 'git@example.com:r.git' }, ['true']).repo).toBe(
      'git@example.com:r.git',
    );
  });

  it("takes --env NAME from the caller's environment, so a secret stays out of argv", () => {
    const spec = taskSpecFromFlags({ ...base, env: ['API_TOKEN', 'DEBUG=1'] }, ['true'], {
      API_TOKEN: 's3cr3t',
    });
    expect(spec.env).toEqual({ API_TOKEN: 's3cr3t', DEBUG: '1' });
  });

  it('says which flag was wrong', () => {
    expect(() => taskSpecFromFlags({ ...base, env: ['=1'] }, ['true'])).toThrow(
      '--env "=1" is not NAME=VALUE or NAME',
    );
    expect(() => taskSpecFromFlags({ ...base, env: ['UNSET_ONE'] }, ['true'], {})).toThrow(
      '--env UNSET_ONE: UNSET_ONE is not set in this environment',
    );
    expect(() => taskSpecFromFlags({ ...base, memory: 'lots' }, ['true'])).toThrow(
      '--memory "lots" is not a size',
    );
    expect(() => taskSpecFromFlags({ ...base, cpus: '-1' }, ['true'])).toThrow(
      '--cpus "-1" is not a number of cores',
    );
  });

  it("gives a coding agent its prompt, its agent's network default, and its approval settings", () => {
    const spec = taskSpecFromFlags({ ...base, agent: 'claude', approve: 'none', 'approval-timeout': '30s' }, [
      'fix the test',
    ]);
    expect(spec).toMatchObject({
      agent: 'claude',
      prompt: 'fix the test',
      command: [],
      approve: 'none',
      approvalTimeoutMs: 30_000,
    });
    // Left to the task schema: allowlist for a coding agent, none for a command.
    expect(spec.network).toBeUndefined();
    const acp = taskSpecFromFlags({ ...base, agent: 'acp', 'agent-cmd': 'my-agent --acp "a b"' }, ['go']);
    expect(acp.command).toEqual(['my-agent', '--acp', 'a b']);
  });

  it('reads --allow-host as allowlist, and refuses it beside another mode in one line', () => {
    const spec = taskSpecFromFlags({ ...base, 'allow-host': ['registry.npmjs.org', '127.0.0.1:8080'] }, [
      'true',
    ]);
    expect(spec).toMatchObject({
      network: 'allowlist',
      allowHosts: ['registry.npmjs.org', '127.0.0.1:8080'],
    });
    expect(taskSpecFromFlags({ ...base, network: 'none' }, ['true'])).toMatchObject({
      network: 'none',
      allowHosts: [],
    });
    expect(() => taskSpecFromFlags({ ...base, network: 'open', 'allow-host': ['x.org'] }, ['true'])).toThrow(
      '--allow-host needs --network allowlist, not --network open',
    );
  });

  it('says what is wrong with agent arguments in one line', () => {
    expect(() => taskSpecFromFlags({ ...base, agent: 'claude' }, [])).toThrow(
      'the claude agent needs a prompt',
    );
    expect(() => taskSpecFromFlags({ ...base, agent: 'claude' }, ['a', 'b'])).toThrow('takes one prompt');
    expect(() => taskSpecFromFlags({ ...base, agent: 'acp' }, ['go'])).toThrow(
      'needs the command that starts it',
    );
    expect(() => taskSpecFromFlags({ ...base, agent: 'codex', 'agent-cmd': 'x' }, ['go'])).toThrow(
      '--agent-cmd is for --agent acp',
    );
    expect(() => taskSpecFromFlags({ ...base, policy: '/nonexistent.json' }, ['true'])).toThrow(
      'cannot read policy file',
    );
    expect(() => splitCommand('a "b')).toThrow('unbalanced');
    expect(splitCommand(`a 'b c' d\\ e "f\\"g"`)).toEqual(['a', 'b c', 'd e', 'f"g']);
  });
});
