import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentPrograms, programPaths } from './agentPrograms.js';

const root = mkdtempSync(join(tmpdir(), 'nexa-programs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function executable(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

describe('where a worker finds its agents', () => {
  const bin = join(root, 'bin');
  executable(join(bin, 'codex'));
  executable(join(bin, 'my-acp'));
  const claude = executable(join(root, 'opt', 'claude'));

  it('offers shell and acp always, claude and codex when found on PATH or at --agent-bin', () => {
    expect(new AgentPrograms({}, bin).available).toEqual(['shell', 'codex', 'acp']);
    const programs = new AgentPrograms({ claude }, bin);
    expect(programs.available).toEqual(['shell', 'claude', 'codex', 'acp']);
    expect(programs.program('claude', [])).toEqual([claude]);
    expect(programs.program('shell', ['ls'])).toEqual([]);
  });

  it('resolves an ACP command’s first word by --agent-bin, then PATH, else leaves it to fail clearly', () => {
    const programs = new AgentPrograms({ acp2: claude }, bin);
    expect(programs.program('acp', ['my-acp', '--flag'])).toEqual([join(bin, 'my-acp'), '--flag']);
    expect(programs.program('acp', ['acp2'])).toEqual([claude]);
    expect(programs.program('acp', ['nowhere'])).toEqual(['nowhere']);
  });

  it('names a bad --agent-bin, and a missing agent is not offered', () => {
    const programs = new AgentPrograms({ claude: join(root, 'missing') }, bin);
    expect(programs.available).not.toContain('claude');
    expect(programs.problems).toEqual([
      `--agent-bin claude=${join(root, 'missing')}: not an executable file`,
    ]);
    expect(() => programs.program('claude', [])).toThrow('the claude agent is not installed on this worker');
  });

  it('mounts a node_modules tree whole, and anything else by its directory', () => {
    const inModules = executable(join(root, 'proj', 'node_modules', '.bin', 'tool'));
    expect(programPaths([inModules])).toContain(join(root, 'proj', 'node_modules'));
    expect(programPaths([claude])).toContain(join(root, 'opt'));
    expect(programPaths(['relative-name'])).toEqual([]);
  });
});

describe('which agents a worker can run', () => {
  const bin = join(root, 'ready-bin');
  executable(join(bin, 'claude'));
  executable(join(bin, 'codex'));

  it('offers an installed agent only with a credential it needs passed, and says why not', () => {
    const programs = new AgentPrograms({}, bin);
    expect(programs.readiness(new Set(['ANTHROPIC_BASE_URL']))).toEqual({
      ready: ['shell', 'acp'],
      unavailable: [
        {
          agent: 'claude',
          reason:
            'no ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN or CLAUDE_CODE_OAUTH_TOKEN or CLAUDE_CONFIG_DIR passed; see --pass-env',
        },
        { agent: 'codex', reason: 'no OPENAI_API_KEY or CODEX_API_KEY or CODEX_HOME passed; see --pass-env' },
      ],
    });
    expect(programs.readiness(new Set(['ANTHROPIC_API_KEY', 'CODEX_HOME']))).toEqual({
      ready: ['shell', 'claude', 'codex', 'acp'],
      unavailable: [],
    });
  });

  it('does not call an agent that is not installed unavailable: it is not had', () => {
    expect(new AgentPrograms({}, join(root, 'empty')).readiness(new Set())).toEqual({
      ready: ['shell', 'acp'],
      unavailable: [],
    });
  });
});
