import { TERMINAL_CONTROLS } from '@nexa/core';

/** The most characters of a line a task listing carries. */
export const LAST_LINE_CHARS = 200;

/**
 * Escape sequences a terminal acts on: CSI (`ESC [ … final`, and the one-byte
 * C1 CSI), OSC/DCS/SOS/PM/APC strings up to BEL or ST (or the end, when cut
 * off), and two-byte escapes. Each alternative is linear, so a crafted
 * output cannot make this slow.
 */
const ESCAPES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  /\u001b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\u0007\u001b]*(?:\u0007|\u001b\\?)?|[ -/]*[0-~]?)|\u009b[0-?]*[ -/]*[@-~]?/g;
const CONTROLS = new RegExp(TERMINAL_CONTROLS.source, 'g');

/**
 * What a terminal would show as the last non-empty line of `output`, as plain
 * text: escapes stripped, only what follows the last carriage return (a
 * progress bar shows its latest state), cut to LAST_LINE_CHARS; null when
 * every line is blank.
 */
export function lastLineOf(output: string): string | null {
  const lines = output.replace(ESCAPES, '').split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] as string).replace(/\r+$/, '');
    const shown = line
      .slice(line.lastIndexOf('\r') + 1)
      .replace(/\t/g, ' ')
      .replace(CONTROLS, '')
      .trim();
    if (shown) return shown.slice(0, LAST_LINE_CHARS);
  }
  return null;
}
