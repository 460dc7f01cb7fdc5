import { describe, expect, it } from 'vitest';
import { evaluatePolicy, globMatches } from './policy.js';
import type { ApprovalAction } from './schemas/approval.js';

const bash = (command: string): ApprovalAction => ({
  tool: 'Bash',
  action: `run \`${command}\``,
  command,
  risk: 'execute',
});

describe('approval policies', () => {
  it('match globs over whole commands and paths, slashes and spaces included', () => {
    expect(globMatches('echo *', 'echo hello > out/a.txt')).toBe(true);
    expect(globMatches('echo *', 'rm -rf / ; echo x')).toBe(false);
    expect(globMatches('src/*.ts', 'src/a/b.ts')).toBe(true);
    expect(globMatches('a?c', 'abc')).toBe(true);
    expect(globMatches('a.c', 'abc')).toBe(false); // dots are literal
  });

  it('let the first matching rule decide and name it; layers in order; the mode decides the rest', () => {
    const task = { name: 'task', rules: [{ tool: 'Bash', command: 'echo *', decision: 'allow' as const }] };
    const project = {
      name: 'project',
      rules: [
        { name: 'no deletes', tool: 'Bash', command: 'rm *', decision: 'deny' as const },
        { command: '*', decision: 'allow' as const },
      ],
    };
    expect(evaluatePolicy(bash('echo hi'), [task, project], 'ask')).toEqual({
      decision: 'allow',
      rule: 'task rule 1: allow tool=Bash command="echo *"',
    });
    expect(evaluatePolicy(bash('rm -rf build'), [task, project], 'ask')).toEqual({
      decision: 'deny',
      rule: 'project rule 1: no deletes (deny tool=Bash command="rm *")',
    });
    const edit: ApprovalAction = { tool: 'Edit', action: 'edit a.ts', paths: ['a.ts'], risk: 'write' };
    expect(evaluatePolicy(edit, [task, project], 'ask')).toEqual({ decision: 'ask', rule: null });
    expect(evaluatePolicy(edit, [task], 'none')).toEqual({ decision: 'deny', rule: '--approve none' });
    expect(
      evaluatePolicy(edit, [{ name: 'task', rules: [{ path: '*.ts', decision: 'allow' }] }], 'ask').decision,
    ).toBe('allow');
  });
});
