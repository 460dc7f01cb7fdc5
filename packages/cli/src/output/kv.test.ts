import { describe, expect, it } from 'vitest';
import { changeLine, entryLine, valueText } from './kv.js';

// A value is anyone's text, a hostile agent's too: shown to a person, its controls are escaped.
describe('a kv value shown to a person', () => {
  it('escapes terminal controls in a string value, keeping its lines', () => {
    expect(valueText('ok\x1b]0;pwned\x07\nnext')).toBe('ok\\x1b]0;pwned\\x07\nnext');
  });

  it('escapes them in an entry and a watched change', () => {
    const entry = {
      project: 'default',
      key: 'k',
      value: { note: '\x1b[2J' },
      version: 3,
      updatedBy: 'a',
      updatedAt: '',
    };
    expect(entryLine(entry)).toBe('k = {"note":"\\u001b[2J"}  (version 3)');
    expect(changeLine({ type: 'set', entry: { ...entry, value: '\x1b[2J' } })).toBe(
      'set k = \\x1b[2J  (version 3)',
    );
  });
});
