import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Tmux, tmuxOrSkip } from './tmux.js';

// The driver the TUI's e2e tests stand on, tried on plain programs.
let tmux: Tmux | undefined;
let dir: string | undefined;
afterEach(async () => {
  await tmux?.kill();
  tmux = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const haveTmux = tmuxOrSkip('the tmux driver tests');

describe.skipIf(!haveTmux)('tmux driver', () => {
  it('types text, presses Enter, and reads what the program printed', async () => {
    tmux = await Tmux.start({ command: ['sh', '-c', 'read x; echo "got $x"; read y'] });
    await tmux.sendKeys('hello world', 'Enter');
    expect(await tmux.waitFor('got hello world')).toMatch(/^hello world\ngot hello world\n/);
  });

  it('types quotes, dollars, backslashes and UTF-8 exactly as given', async () => {
    tmux = await Tmux.start({ command: ['sh', '-c', 'read -r x; printf "[%s]\\n" "$x"; read y'] });
    await tmux.sendKeys('say "it\'s $HOME" \\ ok; é', 'Enter');
    await tmux.waitFor('[say "it\'s $HOME" \\ ok; é]');
  });

  it('passes env and a TERM of xterm-256color, without CI, at the requested size', async () => {
    process.env.CI = 'true'; // as on a CI runner: the pane must not inherit it
    try {
      tmux = await Tmux.start({
        command: [
          'sh',
          '-c',
          'echo "term=$TERM server=$NEXA_SERVER ci=$(printenv CI || echo unset) size=$(stty size)"; read x',
        ],
        env: { NEXA_SERVER: 'http://127.0.0.1:1' },
        cols: 100,
        rows: 30,
      });
    } finally {
      delete process.env.CI;
    }
    await tmux.waitFor('term=xterm-256color server=http://127.0.0.1:1 ci=unset size=30 100');
    expect(await tmux.size()).toEqual({ cols: 100, rows: 30 });
  });

  it('follows a resize: the program sees the new size', async () => {
    tmux = await Tmux.start({
      command: [
        'sh',
        '-c',
        'trap \'echo "now $(stty size)"\' WINCH; echo ready; while :; do sleep 0.05; done',
      ],
      cols: 80,
      rows: 24,
    });
    await tmux.waitFor('ready');
    await tmux.resize(120, 40);
    await tmux.waitFor('now 40 120');
    expect(await tmux.size()).toEqual({ cols: 120, rows: 40 });
  });

  it('sends key names (Escape, Tab, C-c) as the keys, not as words', async () => {
    tmux = await Tmux.start({
      command: ['sh', '-c', 'stty raw -echo; printf ready; dd bs=1 count=3 2>/dev/null | od -An -c; read x'],
    });
    await tmux.waitFor('ready');
    await tmux.sendKeys('Escape', 'Tab', 'C-c');
    await tmux.waitFor(/033\s+\\t\s+003/);
  });

  it('records every byte the program writes, from its very first one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'nexa-tmux-'));
    const file = join(dir, 'bytes');
    tmux = await Tmux.start({
      command: ['sh', '-c', "printf 'first\\033[31mred\\033[0m\\n'; read x; printf 'bye\\n'"],
      recordTo: file,
    });
    await tmux.waitFor('firstred');
    await tmux.sendKeys('q', 'Enter');
    expect(await tmux.waitForExit()).toBe(0);
    await expect.poll(() => readFile(file, 'latin1')).toContain('bye');
    // Colours and line endings as the terminal got them (the tty turns \n into \r\n).
    expect(await readFile(file, 'latin1')).toBe('first\x1b[31mred\x1b[0m\r\nq\r\nbye\r\n');
  });

  it('reports the program pid and its exit status', async () => {
    tmux = await Tmux.start({ command: ['sh', '-c', 'echo $$; read x; exit 7'] });
    const screen = await tmux.waitFor(/^\d+$/m);
    expect(await tmux.pid()).toBe(Number(screen.trim().split('\n')[0]));
    expect(await tmux.exitStatus()).toBeUndefined();
    await tmux.sendKeys('Enter');
    expect(await tmux.waitForExit()).toBe(7);
  });

  it('shows what a program printed before it exited', async () => {
    tmux = await Tmux.start({ command: ['sh', '-c', 'echo "Error: something went wrong"; exit 2'] });
    expect(await tmux.waitForExit()).toBe(2);
    expect(await tmux.lastScreen()).toBe('Error: something went wrong\n');
    await expect(tmux.waitFor('never', { timeoutMs: 100 })).rejects.toThrow('| Error: something went wrong');
  });

  it('on timeout, says what it waited for and shows the last screen', async () => {
    tmux = await Tmux.start({ command: ['sh', '-c', 'echo something else; read x'] });
    await tmux.waitFor('something else');
    await expect(tmux.waitFor('never shown', { timeoutMs: 300 })).rejects.toThrow(
      /waited 300 ms for "never shown"; the screen was:\n\| something else\n/,
    );
  });

  it('refuses an empty command, and kill ends the program', async () => {
    await expect(Tmux.start({ command: [] })).rejects.toThrow('no command');
    tmux = await Tmux.start({ command: ['sleep', '30'] });
    const pid = await tmux.pid();
    await tmux.kill();
    await expect.poll(() => alive(pid)).toBe(false);
  });
});

/** Running, as opposed to gone or a zombie (this machine's init may never reap orphans). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
