import { EventEmitter } from 'node:events';
import xterm from '@xterm/headless';
import { render } from 'ink';
import type { ReactNode } from 'react';

export interface TerminalSize {
  cols: number;
  rows: number;
}

export interface RenderedFrame {
  /** The screen as a person sees it: one line per row, right-trimmed, trailing blank rows dropped. */
  readonly frame: string;
  readonly lines: string[];
  /** Everything Ink wrote to the terminal, escapes included (to assert there is no `ESC[2J`). */
  readonly written: string;
  /** Types into the app, as a keyboard would (`'\r'` Enter, `'\u001b[A'` up); resolves once the frame has settled. */
  stdin: {
    write(data: string): Promise<void>;
    /** Several key presses read in one go, before the app renders again (fast typing, a slow link). */
    writeTogether(...chunks: string[]): Promise<void>;
  };
  rerender(element: ReactNode): Promise<void>;
  /** Resizes the terminal and tells Ink, as a terminal emulator's SIGWINCH would. */
  resize(size: TerminalSize): Promise<void>;
  /** Resolves with the first parsed frame the predicate accepts; rejects with the last frame after `timeoutMs`. */
  waitForFrame(predicate: (frame: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Waits until Ink has rendered what it has been given and the terminal has parsed all of it. */
  settled(): Promise<void>;
  unmount(): void;
}

export interface RenderOptions extends TerminalSize {
  /**
   * Ink's frame cap. The default 0 renders each change at once, so a test can
   * compare a frame right after an action; pass 30 to test throttled output.
   */
  maxFps?: number;
}

// Ink writes nothing but <Static> while it believes it runs in CI (is-in-ci,
// read once at import), so every frame here would be blank.
const inkSeesCi = ['CI', 'CONTINUOUS_INTEGRATION'].some(
  (key) => key in process.env && process.env[key] !== '0' && process.env[key] !== 'false',
);

/**
 * Renders an Ink element into a headless terminal of exactly `cols`×`rows`
 * and reads the screen back as text, as gemini-cli's test helper does:
 * the frame is what a terminal shows after parsing Ink's real output,
 * erase-lines and synchronized-update escapes included.
 */
export async function renderFrame(element: ReactNode, options: RenderOptions): Promise<RenderedFrame> {
  if (inkSeesCi) {
    throw new Error('renderFrame: Ink renders no frames when CI is set; run the test with CI unset');
  }
  const terminal = new xterm.Terminal({
    cols: options.cols,
    rows: options.rows,
    scrollback: 0,
    // A real TTY's line discipline turns Ink's bare '\n' into CR LF (onlcr).
    convertEol: true,
    allowProposedApi: true,
  });
  const stdout = new FakeTtyOut(terminal, options);
  const stdin = new FakeTtyIn();
  const instance = render(element, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: stdout as unknown as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: options.maxFps ?? 0,
  });

  const settled = async () => {
    // Ink may schedule its render (React effects, a throttled trailing call)
    // for later; React may run a dispatched update a turn or two after the
    // key that caused it. Settled means two quiet rounds of immediates and
    // timers in a row, with everything written parsed.
    let quietRounds = 0;
    while (quietRounds < 2) {
      const writesBefore = stdout.writes;
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 0));
      await stdout.parsed();
      quietRounds = stdout.writes === writesBefore ? quietRounds + 1 : 0;
    }
  };
  const lines = () => screenLines(terminal);
  const frame = () => lines().join('\n');

  await settled();
  return {
    get frame() {
      return frame();
    },
    get lines() {
      return lines();
    },
    get written() {
      return stdout.written;
    },
    stdin: {
      async write(data: string) {
        stdin.type(data);
        await settled();
      },
      async writeTogether(...chunks: string[]) {
        stdin.type(...chunks);
        await settled();
      },
    },
    async rerender(next) {
      instance.rerender(next);
      await settled();
    },
    async resize(size) {
      terminal.resize(size.cols, size.rows);
      stdout.columns = size.cols;
      stdout.rows = size.rows;
      stdout.emit('resize');
      await settled();
    },
    waitForFrame(predicate, timeoutMs = 2000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const current = frame();
          if (!predicate(current)) return false;
          stop();
          resolve(current);
          return true;
        };
        const timer = setTimeout(() => {
          stop();
          reject(
            new Error(`renderFrame: no frame matched within ${timeoutMs} ms; the last one was:\n${frame()}`),
          );
        }, timeoutMs);
        const stop = () => {
          clearTimeout(timer);
          stdout.off('parsed', check);
        };
        stdout.on('parsed', check);
        void stdout.parsed().then(check);
      });
    },
    settled,
    unmount() {
      instance.unmount();
      instance.cleanup();
      terminal.dispose();
    },
  };
}

/** The viewport's rows as text, without the blank rows below the last drawn one. */
function screenLines(terminal: xterm.Terminal): string[] {
  const buffer = terminal.buffer.active;
  const rows: string[] = [];
  for (let y = 0; y < terminal.rows; y++) {
    rows.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
  }
  while (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
  return rows;
}

/** A TTY stdout whose bytes go into the headless terminal; emits 'parsed' after each write is parsed. */
class FakeTtyOut extends EventEmitter {
  readonly isTTY = true;
  columns: number;
  rows: number;
  writes = 0;
  written = '';
  private lastParse: Promise<void> = Promise.resolve();

  constructor(
    private readonly terminal: xterm.Terminal,
    size: TerminalSize,
  ) {
    super();
    this.columns = size.cols;
    this.rows = size.rows;
  }

  write(data: string | Uint8Array, encodingOrCallback?: unknown, callback?: unknown): boolean {
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    this.writes++;
    this.written += text;
    this.lastParse = new Promise((resolve) => {
      this.terminal.write(text, () => {
        this.emit('parsed');
        resolve();
      });
    });
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (typeof done === 'function') void this.lastParse.then(() => done());
    return true;
  }

  /** Resolves once the terminal has parsed every write so far (xterm parses in order). */
  parsed(): Promise<void> {
    return this.lastParse;
  }
}

/** A TTY stdin as Ink's useInput reads it: 'readable' events and read(). */
class FakeTtyIn extends EventEmitter {
  readonly isTTY = true;
  private queued: string[] = [];

  type(...chunks: string[]): void {
    this.queued.push(...chunks);
    this.emit('readable');
  }

  read(): string | null {
    return this.queued.shift() ?? null;
  }

  setEncoding(): this {
    return this;
  }
  setRawMode(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
}
