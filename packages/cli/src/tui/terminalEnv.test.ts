import { describe, expect, it } from 'vitest';
import { prepareTerminalEnv } from './terminalEnv.js';

describe('the TUI environment', () => {
  it('draws frames in CI, honours NO_COLOR through chalk, and uses React production', () => {
    const env: NodeJS.ProcessEnv = { CI: 'true', CONTINUOUS_INTEGRATION: '1', NO_COLOR: '1' };
    prepareTerminalEnv(env);
    expect(env).toEqual({ NO_COLOR: '1', FORCE_COLOR: '0', NODE_ENV: 'production' });
  });

  it('keeps colour when NO_COLOR is empty (no-color.org) and a NODE_ENV the user set', () => {
    const env: NodeJS.ProcessEnv = { NO_COLOR: '', NODE_ENV: 'development' };
    prepareTerminalEnv(env);
    expect(env.FORCE_COLOR).toBeUndefined();
    expect(env.NODE_ENV).toBe('development');
  });
});
