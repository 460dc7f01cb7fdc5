import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readSecretValue, secretName } from './secretValue.js';

/** A stdin: piped, or a terminal that records whether echo was off. */
function stdin(tty: boolean) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };
  const modes: boolean[] = [];
  if (tty) {
    stream.isTTY = true;
    stream.setRawMode = (raw) => {
      modes.push(raw);
    };
  }
  return {
    stream: stream as unknown as NodeJS.ReadStream,
    write: (text: string) => stream.write(text),
    end: () => stream.end(),
    modes,
  };
}

let prompt: { mock: { calls: unknown[][] }; mockRestore(): void };
afterEach(() => prompt?.mockRestore());
const quiet = () => {
  prompt = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
};

describe('a secret value', () => {
  it('piped in: all of it, without the newline echo adds', async () => {
    const input = stdin(false);
    const read = readSecretValue('API_KEY', input.stream);
    input.write('line one\nsk-');
    input.write('abc\n');
    input.end();
    expect(await read).toBe('line one\nsk-abc');
  });

  it('piped in empty: refused, saying how to give one', async () => {
    const input = stdin(false);
    const read = readSecretValue('API_KEY', input.stream);
    input.end();
    await expect(read).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'no value for API_KEY was given',
    });
  });

  it('typed on a terminal: echo off while typing, back on after; Enter ends it, backspace edits', async () => {
    quiet();
    const input = stdin(true);
    const read = readSecretValue('API_KEY', input.stream);
    input.write('sk-abx\u007fc');
    input.write('\r');
    expect(await read).toBe('sk-abc');
    expect(input.modes).toEqual([true, false]);
    expect(prompt.mock.calls.map((call) => String(call[0])).join('')).not.toContain('sk-');
  });

  it('typed, then Ctrl-C: nothing is set, and the terminal is given back', async () => {
    quiet();
    const input = stdin(true);
    const read = readSecretValue('API_KEY', input.stream);
    input.write('sk-ab\u0003');
    await expect(read).rejects.toThrow(/nothing was set/);
    expect(input.modes).toEqual([true, false]);
  });

  it('a bad name is one line saying what a name is', () => {
    expect(() => secretName('api-key')).toThrow(/upper-case letters/);
    expect(secretName('API_KEY')).toBe('API_KEY');
  });
});
