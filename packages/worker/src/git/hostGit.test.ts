import { describe, expect, it } from 'vitest';
import { hostGit, hostGitArgs, hostGitEnv } from './hostGit.js';

const workerEnv = {
  PATH: '/usr/bin:/bin',
  NEXA_TOKEN: 'secret-token',
  GIT_DIR: '/elsewhere',
  GIT_CONFIG_PARAMETERS: "'core.fsmonitor'='touch /tmp/x'",
  GIT_SSH_COMMAND: 'evil',
  SSH_AUTH_SOCK: '/run/agent.sock',
  HOME: '/root',
  LD_PRELOAD: '/tmp/evil.so',
};

describe('the environment of a host git', () => {
  it('is built from scratch: only PATH comes from the worker, nothing else', () => {
    const env = hostGitEnv('vault', workerEnv, '/private/home');
    expect(env).toEqual({
      PATH: '/usr/bin:/bin',
      LANG: 'C',
      LC_ALL: 'C',
      HOME: '/private/home',
      XDG_CONFIG_HOME: '/private/home',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: '',
      SSH_ASKPASS: '',
    });
  });

  it("passes the ssh agent only to git on the user's own source", () => {
    expect(hostGitEnv('source', workerEnv, '/h').SSH_AUTH_SOCK).toBe('/run/agent.sock');
    expect(hostGitEnv('vault', workerEnv, '/h').SSH_AUTH_SOCK).toBeUndefined();
  });

  it('switches off every command a config could name, and ssh outside the source', () => {
    const flags = hostGitArgs('vault', ['status']);
    for (const flag of [
      'core.fsmonitor=false',
      'core.hooksPath=/dev/null',
      'core.pager=cat',
      'diff.external=',
    ]) {
      expect(flags).toContain(flag);
    }
    expect(flags).toContain('core.sshCommand=false');
    expect(hostGitArgs('source', ['fetch'])).not.toContain('core.sshCommand=false');
    expect(flags.at(-1)).toBe('status');
  });

  it('keeps the worker token out of a real git process', async () => {
    process.env.NEXA_TOKEN = 'secret-token';
    try {
      const shown = await hostGit(['var', 'GIT_EDITOR'], { purpose: 'vault' });
      expect(shown.trim()).toBe('false');
      // git's own view of its environment: the aliases it could run see the same env.
      const env = await hostGit(['-c', 'alias.env=!env', 'env'], { purpose: 'vault' });
      expect(env).not.toContain('secret-token');
      expect(env).toContain('GIT_CONFIG_GLOBAL=/dev/null');
    } finally {
      delete process.env.NEXA_TOKEN;
    }
  });

  it('fails with one line naming the git command', async () => {
    await expect(
      hostGit(['rev-parse', 'no-such-ref'], { purpose: 'vault', gitDir: '/nonexistent' }),
    ).rejects.toThrow(/^git rev-parse failed: /);
  });
});
