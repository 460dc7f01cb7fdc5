import { describe, expect, it } from 'vitest';
import { LAST_LINE_CHARS, lastLineOf } from './lastLine.js';

describe('lastLineOf', () => {
  it('is the last non-empty line, without colours', () => {
    expect(lastLineOf('one\n\u001b[31mtwo\u001b[0m\n\n  \n')).toBe('two');
  });

  it('shows a progress bar at its latest state', () => {
    expect(lastLineOf('building\n 10%\r 50%\r100% done\r\n')).toBe('100% done');
    expect(lastLineOf('a\r\nb\r\n')).toBe('b');
  });

  it('drops OSC titles and hyperlinks, cursor moves and stray controls', () => {
    const osc = '\u001b]0;title\u0007\u001b]8;;https://x\u001b\\link\u001b]8;;\u001b\\';
    expect(lastLineOf(`${osc} \u001b[2K\u001b[1Gok\u0008\u202e!\n`)).toBe('link ok!');
  });

  it('is null when nothing shows, and cut to the listing width', () => {
    expect(lastLineOf('\n\u001b[0m\r\n')).toBeNull();
    expect(lastLineOf('')).toBeNull();
    expect(lastLineOf(`${'x'.repeat(500)}\n`)).toHaveLength(LAST_LINE_CHARS);
  });

  it('copes with an escape cut off at the end of the output', () => {
    expect(lastLineOf('done\n\u001b]0;unfinished title')).toBe('done');
    expect(lastLineOf('done\n\u001b[3')).toBe('done');
  });
});
