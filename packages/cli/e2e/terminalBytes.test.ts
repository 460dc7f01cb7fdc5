import { describe, expect, it } from 'vitest';
import { analyzeTerminalBytes, TerminalBytes } from './terminalBytes.js';

// Bytes an Ink 6.8 program wrote to a 40-column tmux pane (recorded with Tmux.recordBytes):
// a column of "step N row I" lines whose height changes on each key press.
const ink = {
  // 10 rows; frames of 2, 3 and 1 rows.
  small:
    '\u001b[?2026h\u001b[?25l\u001b[32mstep 0 row 0\u001b[39m\r\nstep 0 row 1\r\n\u001b[?2026l\u001b[?2026h\u001b[2K\u001b[1A\u001b[2K\u001b[1A\u001b[2K\u001b[G\u001b[32mstep 1 row 0\u001b[39m\r\nstep 1 row 1\r\nstep 1 row 2\r\n\u001b[?2026l\u001b[?2026h\u001b[2K\u001b[1A\u001b[2K\u001b[1A\u001b[2K\u001b[1A\u001b[2K\u001b[G\u001b[32mstep 2 row 0\u001b[39m\r\n\u001b[?2026l\u001b[?25h\u001b[?25h\u001b[?25h',
  // 5 rows; frames of 3, 5 (exactly the screen), 4, 4 rows: the frame after the full-height one clears.
  exact:
    '\u001b[?2026h\u001b[?25l\u001b[32mstep 0 row 0\u001b[39m\r\nstep 0 row 1\r\nstep 0 row 2\r\n\u001b[?2026l\u001b[?2026h\u001b[2K\u001b[1A\u001b[2K\u001b[1A\u001b[2K\u001b[1A\u001b[2K\u001b[G\u001b[32mstep 1 row 0\u001b[39m\r\nstep 1 row 1\r\nstep 1 row 2\r\nstep 1 row 3\r\nstep 1 row 4\u001b[?2026l\u001b[?2026h\u001b[2J\u001b[3J\u001b[H\u001b[32mstep 2 row 0\u001b[39m\r\nstep 2 row 1\r\nstep 2 row 2\r\nstep 2 row 3\u001b[?2026l\u001b[?2026h\u001b[2K\u001b[1A\u001b[2K\u001b[1A\u001b[2K\u001b[1A\u001b[2K\u001b[1A\u001b[2K\u001b[G\u001b[32mstep 3 row 0\u001b[39m\r\nstep 3 row 1\r\nstep 3 row 2\r\nstep 3 row 3\r\n\u001b[?2026l\u001b[?25h\u001b[?25h\u001b[?25h',
  // 5 rows; frames of 3, 7 (taller than the screen) and 3 rows.
  tall: '\u001b[?2026h\u001b[?25l\u001b[32mstep 0 row 0\u001b[39m\r\nstep 0 row 1\r\nstep 0 row 2\r\n\u001b[?2026l\u001b[?2026h\u001b[2K\u001b[1A\u001b[2K\u001b[1A\u001b[2K\u001b[1A\u001b[2K\u001b[G\u001b[32mstep 1 row 0\u001b[39m\r\nstep 1 row 1\r\nstep 1 row 2\r\nstep 1 row 3\r\nstep 1 row 4\r\nstep 1 row 5\r\nstep 1 row 6\u001b[?2026l\u001b[?2026h\u001b[2J\u001b[3J\u001b[H\u001b[32mstep 2 row 0\u001b[39m\r\nstep 2 row 1\r\nstep 2 row 2\u001b[?2026l\u001b[?25h\u001b[?25h\u001b[?25h',
};

describe('terminal bytes, as Ink 6 writes them', () => {
  it('counts synchronized frames and finds the tallest, with no clear when frames fit', () => {
    expect(analyzeTerminalBytes(ink.small, { rows: 10, cols: 40 })).toEqual({
      frames: 3,
      fullClearsAfterFirst: 0,
      tallestFrame: 3,
      framesAtLeastScreenHeight: 0,
      bytes: ink.small.length,
    });
  });

  it('sees the full-screen clear that follows a frame exactly as tall as the terminal', () => {
    const report = analyzeTerminalBytes(ink.exact, { rows: 5, cols: 40 });
    expect(report).toMatchObject({ frames: 4, tallestFrame: 5, framesAtLeastScreenHeight: 1 });
    expect(report.fullClearsAfterFirst).toBe(1); // ESC[2J ESC[3J ESC[H is one clear, not two
  });

  it('measures a frame taller than the terminal by the rows it wrote', () => {
    expect(analyzeTerminalBytes(ink.tall, { rows: 5, cols: 40 })).toMatchObject({
      frames: 3,
      tallestFrame: 7,
      framesAtLeastScreenHeight: 1,
      fullClearsAfterFirst: 1,
    });
  });

  it('gives the same answer whatever the chunk boundaries (escape sequences and UTF-8 cut in two)', () => {
    const bytes = Buffer.from(`${ink.exact}\u001b[?2026h\u001b[2K\u001b[G├─ é 日本\r\n\u001b[?2026l`);
    const whole = analyzeTerminalBytes(bytes, { rows: 5, cols: 40 });
    const meter = new TerminalBytes({ rows: 5, cols: 40 });
    for (let i = 0; i < bytes.length; i += 3) meter.write(bytes.subarray(i, i + 3));
    expect(meter.report()).toEqual(whole);
    expect(whole.frames).toBe(5);
  });

  it('counts frames by erase-and-redraw when the program does not synchronize (Ink off a TTY)', () => {
    const unsynchronized = ink.exact.replaceAll('\u001b[?2026h', '').replaceAll('\u001b[?2026l', '');
    expect(analyzeTerminalBytes(unsynchronized, { rows: 5, cols: 40 })).toMatchObject({
      frames: 4,
      tallestFrame: 5,
      fullClearsAfterFirst: 1,
    });
  });

  it('does not count the clear a program starts with', () => {
    const report = analyzeTerminalBytes(`\u001b[2J\u001b[H${ink.small}`, { rows: 10, cols: 40 });
    expect(report).toMatchObject({ frames: 3, fullClearsAfterFirst: 0 });
  });

  it('counts wrapped lines as the rows they take', () => {
    const long = `\u001b[?2026h${'x'.repeat(100)}\r\n${'y'.repeat(40)}\r\n\u001b[?2026l`;
    // 100 columns on a 40-column terminal is three rows; exactly 40 is one.
    expect(analyzeTerminalBytes(long, { rows: 24, cols: 40 }).tallestFrame).toBe(4);
  });

  it('reports the most frames within one second when given the times bytes arrived', () => {
    const frame = '\u001b[?2026h\u001b[2K\u001b[Gtick\r\n\u001b[?2026l';
    const meter = new TerminalBytes({ rows: 24, cols: 80 });
    for (let ms = 0; ms < 3000; ms += 100) meter.write(frame, ms); // 10 per second
    for (let ms = 3000; ms < 3500; ms += 10) meter.write(frame, ms); // then 50 in half a second
    const report = meter.report();
    expect(report.frames).toBe(80);
    expect(report.maxFramesPerSecond).toBe(55);
  });
});
