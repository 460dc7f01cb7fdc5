import { describe, expect, it } from 'vitest';
import { workerOptionsFrom } from './daemonFlags.js';

const base = {
  labels: '',
  'allow-unsandboxed': false,
  'keep-workdirs': '0s',
  'keep-sessions': '7d',
  'agent-bin': [] as string[],
  'pass-env': '',
  'shutdown-timeout': '30s',
};

describe('nexa worker flags → worker options', () => {
  it('reads agent locations and the variables agents get', () => {
    const options = workerOptionsFrom({
      ...base,
      'agent-bin': ['claude=/opt/claude/bin/claude', 'my-acp=./bin/acp'],
      'pass-env': 'ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL',
    });
    expect(options.agentBins).toEqual({
      claude: '/opt/claude/bin/claude',
      'my-acp': `${process.cwd()}/bin/acp`,
    });
    expect(options.passEnv).toEqual(['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL']);
  });

  it('says what is wrong with them in one line', () => {
    expect(() => workerOptionsFrom({ ...base, 'agent-bin': ['claude'] })).toThrow(
      '--agent-bin "claude" is not NAME=PATH',
    );
    expect(() => workerOptionsFrom({ ...base, 'agent-bin': ['claude='] })).toThrow('is not NAME=PATH');
    expect(() => workerOptionsFrom({ ...base, 'pass-env': 'GOOD,not-a-name' })).toThrow(
      '--pass-env: "not-a-name" is not an environment variable name',
    );
  });

  it('keeps agent sessions for nexa continue as long as --keep-sessions says, in days or a duration', () => {
    expect(workerOptionsFrom(base).keepAgentWorkdirsMs).toBe(7 * 86_400_000);
    expect(workerOptionsFrom({ ...base, 'keep-sessions': '1.5d' }).keepAgentWorkdirsMs).toBe(129_600_000);
    expect(workerOptionsFrom({ ...base, 'keep-sessions': '12h' }).keepAgentWorkdirsMs).toBe(43_200_000);
    expect(workerOptionsFrom({ ...base, 'keep-sessions': 'off' }).keepAgentWorkdirsMs).toBe(0);
    expect(() => workerOptionsFrom({ ...base, 'keep-sessions': 'a week' })).toThrow(
      '--keep-sessions "a week" is not a duration',
    );
  });
});
