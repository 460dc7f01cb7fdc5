import { afterEach, describe, expect, it } from 'vitest';
import { SCROLLBACK_ROWS, TerminalBuffer } from './terminalBuffer.js';

const buffers: TerminalBuffer[] = [];
function buffer(cols = 40, rows = 5) {
  const created = new TerminalBuffer({ cols, rows });
  buffers.push(created);
  return created;
}
afterEach(() => {
  for (const created of buffers.splice(0)) created.dispose();
});

const written = async (target: TerminalBuffer, text: string) => {
  target.write(text);
  await target.flushed();
};
const nonBlank = (lines: string[]) => lines.filter((line) => line !== '');

describe('TerminalBuffer', () => {
  it('turns ANSI colours and attributes into runs of equal cells', async () => {
    const pane = buffer();
    await written(
      pane,
      'ok \u001b[31mred\u001b[0m \u001b[1;38;5;208mamber\u001b[0m \u001b[38;2;1;2;255mrgb\u001b[0m\n',
    );
    expect(pane.visibleRows()[0]).toEqual([
      { text: 'ok ' },
      { text: 'red', fg: 'red' },
      { text: ' ' },
      { text: 'amber', fg: '#ff8700', bold: true },
      { text: ' ' },
      { text: 'rgb', fg: '#0102ff' },
    ]);
  });

  it('keeps background, bright colours, dim, italic, underline and inverse', async () => {
    const pane = buffer();
    await written(
      pane,
      '\u001b[44;93mA\u001b[0m\u001b[2mB\u001b[0m\u001b[3mC\u001b[0m\u001b[4mD\u001b[0m\u001b[7mE\u001b[0m',
    );
    expect(pane.visibleRows()[0]).toEqual([
      { text: 'A', fg: 'yellowBright', bg: 'blue' },
      { text: 'B', dim: true },
      { text: 'C', italic: true },
      { text: 'D', underline: true },
      { text: 'E', inverse: true },
    ]);
  });

  it('leaves one line of a carriage-return progress bar', async () => {
    const pane = buffer();
    await written(pane, 'downloading\n');
    for (let percent = 10; percent <= 100; percent += 10) await written(pane, `${percent}%\r`);
    await written(pane, '\ndone\n');
    expect(nonBlank(pane.visibleText())).toEqual(['downloading', '100%', 'done']);
  });

  it('treats a bare newline as a new line at column 0, as pipe output means it', async () => {
    const pane = buffer();
    await written(pane, 'one\ntwo\n');
    expect(nonBlank(pane.visibleText())).toEqual(['one', 'two']);
  });

  it('moves the cursor and erases lines as a terminal does', async () => {
    const pane = buffer();
    await written(pane, 'step 1 running\nstep 2 running\n\u001b[2A\u001b[2Kstep 1 done\n\u001b[1B');
    await written(pane, 'step 3\n');
    expect(nonBlank(pane.visibleText())).toEqual(['step 1 done', 'step 2 running', 'step 3']);
  });

  it('follows the bottom and scrolls back through bounded scrollback', async () => {
    const pane = buffer(20, 5);
    const total = SCROLLBACK_ROWS + 500;
    await written(pane, Array.from({ length: total }, (_, i) => `line ${i + 1}`).join('\n'));
    expect(pane.visibleText().at(-1)).toBe(`line ${total}`);
    // xterm keeps the screen plus SCROLLBACK_ROWS above it; older rows are gone.
    expect(pane.maxScrollBack).toBe(SCROLLBACK_ROWS);
    expect(pane.visibleText(3).at(-1)).toBe(`line ${total - 3}`);
    const oldest = pane.visibleText(pane.maxScrollBack);
    expect(oldest[0]).toBe(`line ${total - SCROLLBACK_ROWS - 4}`);
    // Scrolling further than there is stays at the top.
    expect(pane.visibleText(pane.maxScrollBack + 100)).toEqual(oldest);
  });

  it('resizes to the pane, and takes a size below the smallest as the smallest', async () => {
    const pane = buffer(40, 5);
    await written(pane, 'a long line that does not fit in twenty columns\n');
    pane.resize(20, 3);
    expect(pane.cols).toBe(20);
    expect(pane.visibleRows()).toHaveLength(3);
    expect(pane.visibleText().every((line) => line.length <= 20)).toBe(true);
    pane.resize(0, -4);
    expect([pane.cols, pane.rows]).toEqual([2, 1]);
  });

  it('tells listeners once a write is parsed, until they unsubscribe', async () => {
    const pane = buffer();
    let changes = 0;
    const unsubscribe = pane.onChange(() => changes++);
    await written(pane, 'a');
    expect(changes).toBeGreaterThan(0);
    unsubscribe();
    const before = changes;
    await written(pane, 'b');
    expect(changes).toBe(before);
  });

  it('never hands a bidi override or control to the screen', async () => {
    const pane = buffer();
    await written(pane, 'ls \u202e-la\n');
    expect(pane.visibleText()[0]).not.toMatch(/\u202e/);
    expect(pane.visibleText()[0]).toContain('-la');
  });

  it('reset empties the screen and the scrollback, after writes still queued', async () => {
    const pane = buffer(20, 3);
    pane.write(Array.from({ length: 50 }, (_, i) => `old ${i}`).join('\n'));
    pane.reset();
    await written(pane, 'new');
    expect(nonBlank(pane.visibleText())).toEqual(['new']);
    expect(pane.maxScrollBack).toBe(0);
  });
});
