import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seal, unseal } from './sealing.js';

const key = randomBytes(32);

describe('sealing secrets', () => {
  it('opens what it sealed, and never seals the same value to the same text twice', () => {
    const value = 'sk-live-ünïcode-\u0000-value';
    const sealed = seal(key, 'web', 'API_KEY', value);
    expect(sealed).not.toContain('sk-live');
    expect(unseal(key, 'web', 'API_KEY', sealed)).toBe(value);
    expect(seal(key, 'web', 'API_KEY', value)).not.toBe(sealed);
  });

  it('refuses a sealed value with any byte changed', () => {
    const sealed = Buffer.from(seal(key, 'web', 'API_KEY', 'the value'), 'base64');
    for (let index = 0; index < sealed.length; index++) {
      const tampered = Buffer.from(sealed);
      tampered[index] = (tampered[index] as number) ^ 1;
      expect(() => unseal(key, 'web', 'API_KEY', tampered.toString('base64'))).toThrow(
        /secret API_KEY of project web cannot be opened/,
      );
    }
    expect(() => unseal(key, 'web', 'API_KEY', 'c2hvcnQ=')).toThrow(/cannot be opened/);
  });

  it('refuses a value moved to another project or name (they are its associated data)', () => {
    const sealed = seal(key, 'web', 'API_KEY', 'the value');
    expect(() => unseal(key, 'ops', 'API_KEY', sealed)).toThrow(/secret API_KEY of project ops/);
    expect(() => unseal(key, 'web', 'OTHER_KEY', sealed)).toThrow(/secret OTHER_KEY of project web/);
    // The separator keeps ("we", "bAPI_KEY") from meaning ("web", "API_KEY").
    expect(() => unseal(key, 'we', 'bAPI_KEY', sealed)).toThrow(/cannot be opened/);
  });

  it('refuses a database copied without its key, with a line saying what to do', () => {
    const sealed = seal(key, 'web', 'API_KEY', 'the value');
    let error: unknown;
    try {
      unseal(randomBytes(32), 'web', 'API_KEY', sealed);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toMatchObject({ code: 'internal', hint: expect.stringMatching(/secret\.key/) });
  });
});
