// Drives a program in a real terminal (a tmux pane on a private server), as a person at a
// keyboard would: type, press keys, read the screen, resize, record every byte it writes.
// Node builtins only: scripts/bench loads this file too (see scripts/bench/loadTs.mjs).
import { type ChildProcessWithoutNullStreams, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';

/**
 * Whether tmux is here to drive a terminal: true, or why not. CI installs it
 * and its TUI tests must run; elsewhere they are skipped with that reason.
 */
export function tmuxWorks(): true | string {
  const version = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  return version.status === 0 ? true : 'tmux is not installed (apt-get install tmux)';
}

/** The rule for a test file that needs tmux: in CI it must run; elsewhere it says why it skips. */
export function tmuxOrSkip(what: string): boolean {
  const works = tmuxWorks();
  if (works === true) return true;
  if (process.env.CI) throw new Error(`CI must run ${what}: ${works}`);
  console.warn(`skipping ${what}: ${works}`);
  return false;
}

export interface TmuxStart {
  /** The program and its arguments, run directly (no shell in between). */
  command: string[];
  /** Added to the program's environment; TERM defaults to xterm-256color. */
  env?: Record<string, string>;
  cols?: number;
  rows?: number;
  cwd?: string;
  /** Append every byte the program writes to its terminal to this file, from its first byte. */
  recordTo?: string;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** What the error says the test was waiting for, when the predicate is a function. */
  what?: string;
}

/** Key names tmux understands; any other string given to sendKeys is typed literally. */
const keyName =
  /^(Enter|Escape|Tab|BTab|Space|BSpace|Up|Down|Left|Right|Home|End|PageUp|PageDown|PgUp|PgDn|PPage|NPage|IC|DC|F\d{1,2}|[CMS]-.+)$/;

const pollMs = 50;

// CI=true makes Ink skip every frame but the last, and TMUX would point a nested tmux at the
// caller's own server: neither belongs in the terminal under test.
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['CI', 'TMUX', 'TMUX_PANE', 'CONTINUOUS_INTEGRATION']) delete env[name];
  return env;
}

const quoteForShell = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

export class Tmux {
  private killed = false;
  private socketPath: string | undefined;
  private control: ControlClient | undefined;

  private constructor(
    /** The private server's socket name (`tmux -L NAME`), for a person debugging a test. */
    readonly socket: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Starts a private tmux server with one pane of the given size running `command`. */
  static async start(options: TmuxStart): Promise<Tmux> {
    if (options.command.length === 0) throw new Error('tmux: no command to run');
    const tmux = new Tmux(`nexa-test-${randomBytes(6).toString('hex')}`, cleanEnv());
    const cols = options.cols ?? 80;
    const rows = options.rows ?? 24;
    // The program waits on a tmux channel so that recording starts before its first byte.
    const gate = `nexa-go-${randomBytes(4).toString('hex')}`;
    const env = Object.entries({ TERM: 'xterm-256color', ...options.env }).map(([k, v]) => `${k}=${v}`);
    // The wrapper notes how the program ended in a pane option: tmux 3.3 sometimes marks a pane
    // dead without ever learning its exit status.
    const wrapper =
      'tmux wait-for "$0" || exit 125; "$@"; s=$?; tmux set-option -p -t "$TMUX_PANE" @exit "$s"; exit "$s"';
    const program = ['sh', '-c', wrapper, gate, 'env', ...env, ...options.command];
    await tmux.run(
      ['new-session', '-d', '-s', 'main', '-x', String(cols), '-y', String(rows)]
        .concat(options.cwd ? ['-c', options.cwd] : [])
        .concat(program)
        // A pane whose program has exited stays, so its last screen can still be read.
        .concat([';', 'set-option', '-g', 'remain-on-exit', 'on'])
        // No client is attached; without this a tmux may fall back to 80x24 (agent-deck#1167).
        .concat([';', 'set-option', '-g', 'window-size', 'manual'])
        .concat([';', 'set-option', '-g', 'history-limit', '1000']),
    );
    try {
      tmux.socketPath = (await tmux.run(['display-message', '-p', '#{socket_path}'])).trim();
      await tmux.run(['resize-window', '-t', 'main', '-x', String(cols), '-y', String(rows)]);
      if (options.recordTo) await tmux.recordBytes(options.recordTo);
      await tmux.run(['wait-for', '-S', gate]);
    } catch (error) {
      await tmux.kill();
      throw error;
    }
    return tmux;
  }

  /** Runs one tmux command on this server; resolves with its stdout. */
  run(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        'tmux',
        ['-L', this.socket, '-f', '/dev/null', ...args],
        { env: this.env, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`tmux ${args[0]} failed: ${stderr.trim() || error.message}`));
          else resolve(stdout);
        },
      );
    });
  }

  /**
   * Sends keys in order. A tmux key name (Enter, Escape, Tab, Up, PageUp, C-c, M-x, F1, ...)
   * is pressed; any other string is typed literally, character by character.
   */
  async sendKeys(...keys: string[]): Promise<void> {
    // Through one control-mode client: a tmux process per key would add ~20 ms to every
    // key → frame measurement. Literal text goes as hex bytes (-H), so nothing needs quoting.
    this.control ??= new ControlClient(this.socket, this.env);
    for (const key of keys) {
      await this.control.command(
        keyName.test(key)
          ? `send-keys -t main "${key.replace(/["\\$]/g, '\\$&')}"`
          : `send-keys -t main -H ${[...Buffer.from(key)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`,
      );
    }
  }

  /** Types `text` literally, even if it looks like a key name. */
  async type(text: string): Promise<void> {
    await this.run(['send-keys', '-t', 'main', '-l', text]);
  }

  /** The visible screen as text, one line per row, trailing blanks trimmed by tmux. */
  screen(): Promise<string> {
    return this.run(['capture-pane', '-p', '-t', 'main']);
  }

  /**
   * What the program last showed, also after it exited: tmux scrolls a dead pane's screen into
   * its history to print "Pane is dead", so this reads one screenful back and drops that line.
   */
  async lastScreen(): Promise<string> {
    const { rows } = await this.size();
    const text = await this.run(['capture-pane', '-p', '-S', String(-rows), '-t', 'main']);
    return `${text
      .replace(/^Pane is dead \(.*\)$/m, '')
      .replace(/^\n+/, '')
      .trimEnd()}\n`;
  }

  /** The visible screen with its colours and attributes as escape sequences. */
  screenWithColours(): Promise<string> {
    return this.run(['capture-pane', '-p', '-e', '-t', 'main']);
  }

  /**
   * Resolves with the screen once it contains `expected` (a string or RegExp) or a predicate
   * on the screen holds; on timeout, throws with the last screen in the message.
   */
  async waitFor(
    expected: string | RegExp | ((screen: string) => boolean),
    { timeoutMs = 10_000, what }: WaitOptions = {},
  ): Promise<string> {
    const matches =
      typeof expected === 'function'
        ? expected
        : typeof expected === 'string'
          ? (screen: string) => screen.includes(expected)
          : (screen: string) => expected.test(screen);
    const deadline = performance.now() + timeoutMs;
    let last = '';
    for (;;) {
      last = await this.screen();
      if (matches(last)) return last;
      if (performance.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    const label =
      what ?? (typeof expected === 'function' ? 'the predicate' : JSON.stringify(String(expected)));
    const shown = (await this.exitStatus()) === undefined ? last : await this.lastScreen();
    throw new Error(`tmux: waited ${timeoutMs} ms for ${label}; the screen was:\n${frame(shown)}`);
  }

  /** Resizes the terminal; the program gets SIGWINCH as it would from a real one. */
  async resize(cols: number, rows: number): Promise<void> {
    await this.run(['resize-window', '-t', 'main', '-x', String(cols), '-y', String(rows)]);
  }

  /** Appends every byte the program writes to its terminal from now on to `file`. */
  async recordBytes(file: string): Promise<void> {
    await this.run(['pipe-pane', '-O', '-t', 'main', `cat >> ${quoteForShell(file)}`]);
  }

  /** The pid of the program given to start (a child of the pane's wrapper shell). */
  async pid(): Promise<number> {
    const wrapper = (await this.run(['display-message', '-p', '-t', 'main', '#{pane_pid}'])).trim();
    const children = await readFile(`/proc/${wrapper}/task/${wrapper}/children`, 'utf8').catch(() => '');
    const child = Number(children.trim().split(' ')[0]);
    if (!child) throw new Error(`tmux: the program under pane process ${wrapper} is not running`);
    return child;
  }

  /** The size tmux says the terminal is, to check a resize took. */
  async size(): Promise<{ cols: number; rows: number }> {
    const [cols, rows] = (
      await this.run(['display-message', '-p', '-t', 'main', '#{pane_width} #{pane_height}'])
    )
      .trim()
      .split(' ')
      .map(Number);
    return { cols: cols ?? 0, rows: rows ?? 0 };
  }

  /** The program's exit status once it has exited, else undefined. */
  async exitStatus(): Promise<number | undefined> {
    const status = (await this.run(['display-message', '-p', '-t', 'main', '#{@exit}'])).trim();
    return status === '' ? undefined : Number(status);
  }

  /** Resolves with the program's exit status once it has exited; throws with the screen on timeout. */
  async waitForExit({ timeoutMs = 10_000 }: WaitOptions = {}): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const status = await this.exitStatus();
      if (status !== undefined) return status;
      if (performance.now() >= deadline)
        throw new Error(
          `tmux: the program still ran after ${timeoutMs} ms; the screen was:\n${frame(await this.screen())}`,
        );
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** Kills the server and with it the program (SIGHUP). Safe to call twice. */
  async kill(): Promise<void> {
    if (this.killed) return;
    this.killed = true;
    this.control?.close();
    await this.run(['kill-server']).catch(() => undefined); // already gone is fine
    // tmux leaves its socket file behind; a test run would leave hundreds.
    if (this.socketPath) await rm(this.socketPath, { force: true });
  }
}

/**
 * A tmux control-mode client (`tmux -C`) kept open to send commands without starting a process
 * each time. It takes no pane output (no-output) and does not size the window (ignore-size).
 */
class ControlClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: { resolve: () => void; reject: (error: Error) => void; command: string }[] = [];
  private buffered = '';
  private errorLines: string[] = [];
  private inBlock = false;
  private gone: Error | undefined;

  constructor(socket: string, env: NodeJS.ProcessEnv) {
    this.child = spawn(
      'tmux',
      ['-L', socket, '-f', '/dev/null', '-C', 'attach-session', '-t', 'main', '-f', 'no-output,ignore-size'],
      { env },
    );
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.read(chunk));
    this.child.on('exit', () => this.fail(new Error('tmux: the control client exited')));
    this.child.on('error', (error) => this.fail(error));
  }

  command(line: string): Promise<void> {
    if (this.gone) return Promise.reject(this.gone);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject, command: line });
      this.child.stdin.write(`${line}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }

  private read(chunk: string): void {
    this.buffered += chunk;
    let newline = this.buffered.indexOf('\n');
    while (newline !== -1) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      newline = this.buffered.indexOf('\n');
      // Blocks flagged 1 answer this client's commands, in order; flag 0 is the attach itself.
      const [marker, , , flags] = line.split(' ');
      if (marker === '%begin' && flags === '1') {
        this.inBlock = true;
        this.errorLines = [];
      } else if ((marker === '%end' || marker === '%error') && flags === '1' && this.inBlock) {
        this.inBlock = false;
        const next = this.waiting.shift();
        if (marker === '%end') next?.resolve();
        else next?.reject(new Error(`tmux ${next.command} failed: ${this.errorLines.join(' ')}`));
      } else if (this.inBlock) this.errorLines.push(line);
    }
  }

  private fail(error: Error): void {
    this.gone = error;
    for (const waiting of this.waiting.splice(0)) waiting.reject(error);
  }
}

/** A screen inside a box, so blank rows and trailing spaces show in an error message. */
function frame(screen: string): string {
  const lines = screen.replace(/\n$/, '').split('\n');
  return lines.map((line) => `| ${line}`).join('\n');
}
