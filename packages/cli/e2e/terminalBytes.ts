// Reads the raw bytes a TUI wrote to its terminal and says what a person would have seen
// happen: how many frames, how tall the tallest was, and whether the whole screen was ever
// cleared after the first frame (the flash Ink produces when a frame is as tall as the screen).
// Node builtins only: scripts/bench loads this file too (see scripts/bench/loadTs.mjs).
//
// How Ink 6 writes a frame (ink/build/ink.js, log-update.js): on a TTY, each frame is wrapped in
// synchronized output, ESC[?2026h ... ESC[?2026l. Inside, the previous frame is erased bottom-up
// with eraseLines (ESC[2K, then ESC[1A ESC[2K per further line, then ESC[G), and the new frame
// is written as lines ending in "\n", except a frame as tall as the screen, which has no final
// newline; after such a frame Ink's next render is clearTerminal (ESC[2J ESC[3J ESC[H) + frame.
import { StringDecoder } from 'node:string_decoder';

export interface TerminalSize {
  rows: number;
  cols: number;
}

export interface TerminalBytesReport {
  /** Frames drawn: synchronized-output blocks when the program uses them, else erase-and-redraw runs. */
  frames: number;
  /** Whole-screen clears (ESC[2J, ESC[3J, ESC c; one run of them counts once) after the first frame. */
  fullClearsAfterFirst: number;
  /** Rows the tallest frame covered, counting wrapped lines. */
  tallestFrame: number;
  /** Frames at least as tall as the terminal: Ink clears the whole screen on the render after one. */
  framesAtLeastScreenHeight: number;
  /** Most frames ending within any one second, when write() was given times. */
  maxFramesPerSecond?: number;
  bytes: number;
}

const ESC = '\u001b';

/** Feed it the bytes in the order they were written (chunks may split anywhere); ask for a report. */
export class TerminalBytes {
  private readonly decoder = new StringDecoder('utf8');
  private pending = ''; // an escape sequence cut by a chunk boundary
  private bytes = 0;
  private synchronized = false; // seen ESC[?2026h at least once
  private inFrame = false;
  private frameHasContent = false;
  private framePrinted = false; // printable text since the frame began (for unsynchronized output)
  private frames = 0;
  private frameEnds: number[] = [];
  private clearsAfterFirst = 0;
  private lastWasClear = false;
  private tallest = 0;
  private atLeastScreen = 0;
  // The cursor, relative to where the current frame began, and the rows the frame covered.
  private row = 0;
  private col = 0;
  private minRow = Number.POSITIVE_INFINITY;
  private maxRow = Number.NEGATIVE_INFINITY;
  private now: number | undefined;

  constructor(private readonly size: TerminalSize) {}

  write(chunk: string | Uint8Array, atMs?: number): void {
    this.now = atMs;
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    this.scan(this.pending + text);
  }

  report(): TerminalBytesReport {
    // A program that never synchronizes: its last redraw ends with the stream.
    if (!this.synchronized && this.framePrinted) this.endFrame();
    this.framePrinted = false;
    const report: TerminalBytesReport = {
      frames: this.frames,
      fullClearsAfterFirst: this.clearsAfterFirst,
      tallestFrame: this.tallest,
      framesAtLeastScreenHeight: this.atLeastScreen,
      bytes: this.bytes,
    };
    if (this.frameEnds.length > 0) report.maxFramesPerSecond = maxInWindow(this.frameEnds, 1000);
    return report;
  }

  private scan(text: string): void {
    this.pending = '';
    let i = 0;
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === ESC) {
        const length = escapeLength(text, i);
        if (length === 0) {
          this.pending = text.slice(i); // wait for the rest of the sequence
          return;
        }
        this.escape(text.slice(i, i + length));
        i += length;
        continue;
      }
      const code = ch.charCodeAt(0);
      if (code < 0x20 || code === 0x7f) this.control(ch);
      else {
        const cp = text.codePointAt(i) as number;
        this.printable(cp);
        i += cp > 0xffff ? 2 : 1;
        continue;
      }
      i++;
    }
  }

  private escape(sequence: string): void {
    if (sequence === `${ESC}[?2026h`) {
      this.synchronized = true;
      this.beginFrame();
      return;
    }
    if (sequence === `${ESC}[?2026l`) {
      if (this.inFrame && this.frameHasContent) this.endFrame();
      this.inFrame = false;
      return;
    }
    this.frameHasContent = true;
    if (sequence === `${ESC}c`) {
      this.fullClear();
      return;
    }
    // The sequence starts with ESC, so the pattern starts after it.
    const csi = /^\[([?>=]?)([\d;]*)([@-~])$/.exec(sequence.slice(1));
    if (!csi) return; // OSC, charset selection, ...: no effect on layout
    const [, privateMark, params = '', final] = csi;
    if (privateMark) return;
    const n = Math.max(1, Number(params.split(';')[0] || 1));
    switch (final) {
      case 'J':
        if (params === '2' || params === '3') this.fullClear();
        return;
      case 'K':
        // An erase starting a redraw, in a program without synchronized output, begins a frame.
        if (!this.synchronized && this.framePrinted) {
          this.endFrame();
          this.beginFrame();
        }
        this.lastWasClear = false;
        return;
      case 'A':
        this.row -= n;
        return;
      case 'B':
        this.row += n;
        return;
      case 'E':
        this.markRow();
        this.row += n;
        this.col = 0;
        return;
      case 'F':
        this.row -= n;
        this.col = 0;
        return;
      case 'C':
        this.col += n;
        return;
      case 'D':
        this.col = Math.max(0, this.col - n);
        return;
      case 'G':
        this.col = n - 1;
        return;
      case 'H':
      case 'f': {
        // Absolute: only ever used after a clear, where the frame starts at the top-left.
        const [r = '1', c = '1'] = params.split(';');
        this.row = Math.max(1, Number(r || 1)) - 1;
        this.col = Math.max(1, Number(c || 1)) - 1;
        return;
      }
      default:
        return; // colours (m), modes, ...
    }
  }

  private control(ch: string): void {
    this.frameHasContent = true;
    if (ch === '\n') {
      this.markRow();
      this.row++;
    } else if (ch === '\r') this.col = 0;
    else if (ch === '\b') this.col = Math.max(0, this.col - 1);
    else if (ch === '\t') this.col = Math.min(this.size.cols - 1, (Math.floor(this.col / 8) + 1) * 8);
  }

  private printable(codePoint: number): void {
    this.frameHasContent = true;
    this.lastWasClear = false;
    if (!this.synchronized && !this.inFrame) this.beginFrame();
    this.framePrinted = true;
    const width = charWidth(codePoint);
    if (width === 0) return;
    // Autowrap: a character that does not fit goes to the start of the next row.
    if (this.col + width > this.size.cols) {
      this.row++;
      this.col = 0;
    }
    this.markRow();
    this.col += width;
  }

  private markRow(): void {
    this.minRow = Math.min(this.minRow, this.row);
    this.maxRow = Math.max(this.maxRow, this.row);
  }

  private fullClear(): void {
    // Without synchronized output, a clear after drawn text is where a new frame begins.
    if (!this.synchronized && this.framePrinted) {
      this.endFrame();
      this.beginFrame();
    }
    if (!this.lastWasClear) {
      // Before the first frame ends, a clear is how a program starts; after it, a flash.
      if (this.frames > 0) this.clearsAfterFirst++;
    }
    this.lastWasClear = true;
  }

  private beginFrame(): void {
    this.inFrame = true;
    this.frameHasContent = false;
    this.framePrinted = false;
    this.row = 0;
    this.col = 0;
    this.minRow = Number.POSITIVE_INFINITY;
    this.maxRow = Number.NEGATIVE_INFINITY;
  }

  private endFrame(): void {
    this.frames++;
    if (this.now !== undefined) this.frameEnds.push(this.now);
    const height = this.maxRow >= this.minRow ? this.maxRow - this.minRow + 1 : 0;
    this.tallest = Math.max(this.tallest, height);
    if (height >= this.size.rows) this.atLeastScreen++;
    this.framePrinted = false;
  }
}

/** The report for a whole recording at once. */
export function analyzeTerminalBytes(bytes: string | Uint8Array, size: TerminalSize): TerminalBytesReport {
  const meter = new TerminalBytes(size);
  meter.write(bytes);
  return meter.report();
}

/** Length of the escape sequence starting at `at`, or 0 if the text ends before it does. */
function escapeLength(text: string, at: number): number {
  const kind = text[at + 1];
  if (kind === undefined) return 0;
  if (kind === '[') {
    for (let i = at + 2; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x40 && code <= 0x7e) return i - at + 1;
    }
    return 0;
  }
  if (kind === ']' || kind === 'P' || kind === '_' || kind === '^') {
    // OSC / DCS / APC / PM: up to BEL or ST (ESC \).
    for (let i = at + 2; i < text.length; i++) {
      if (text[i] === '\u0007') return i - at + 1;
      if (text[i] === ESC && text[i + 1] === '\\') return i - at + 2;
      if (text[i] === ESC && i + 1 >= text.length) return 0;
    }
    return 0;
  }
  if (kind === '(' || kind === ')' || kind === '#') return at + 2 < text.length ? 3 : 0;
  return 2;
}

/** Columns a character takes: 0 for combining marks, 2 for wide East Asian and emoji, else 1. */
function charWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || cp === 0xfe0f) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

/** The most timestamps falling within any window of `windowMs`. */
function maxInWindow(sortedTimes: number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < sortedTimes.length; end++) {
    while ((sortedTimes[end] as number) - (sortedTimes[start] as number) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
