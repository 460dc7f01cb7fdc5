import { randomInt } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentRun, type ClaudeCluster, startClaudeCluster } from './agents.js';
import { type Daemon, makeHome, nexa, nexaBin, startServer, startWorker, workerToken } from './harness.js';
import { analyzeTerminalBytes } from './terminalBytes.js';
import { Tmux, tmuxOrSkip } from './tmux.js';
import {
  count,
  highest,
  numbersAfter,
  openTui,
  paneText,
  selectedTask,
  selectTask,
  shortId,
  type TuiSize,
  tasksUnder,
} from './tuiScreen.js';

// The real `nexa tui` (and `nexa up`) in a tmux pane against real coordinator and worker
// processes, read as a person reads the screen. Every step waits on what the screen shows.

const haveTmux = tmuxOrSkip('the TUI end-to-end tests');

let cluster: ClaudeCluster;
beforeAll(async () => {
  if (!haveTmux) return;
  cluster = await startClaudeCluster();
  await cluster.agentWorker('fleet', ['--capacity', '24']);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

let tmux: Tmux | undefined;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await tmux?.kill();
  tmux = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const wide: TuiSize = { cols: 120, rows: 40 };

/** A shell task on the shared cluster, submitted as `nexa run --detach` would; resolves with its id. */
async function submitShell(script: string): Promise<string> {
  const task = await cluster.observer.api.tasks.submit.mutate({
    sandbox: 'process',
    command: ['sh', '-c', script],
  });
  return task.id;
}

/** `nexa run PROMPT --agent claude --detach` on a fresh repository; resolves with the task id. */
async function submitClaude(prompt: string): Promise<string> {
  const run = await nexa(cluster.home, agentRun(prompt, { flags: ['--detach'] }));
  if (run.exitCode !== 0) throw new Error(`nexa run --detach: ${run.stderr}`);
  return run.stdout.trim();
}

describe.skipIf(!haveTmux)('nexa tui in a terminal', () => {
  it('shows two tasks streaming, the selected pane advancing, and both panes once both are pinned', async () => {
    const alpha = await submitShell('i=0; while :; do i=$((i+1)); echo alpha-$i; sleep 0.05; done');
    const beta = await submitShell('i=0; while :; do i=$((i+1)); echo beta-$i; sleep 0.05; done');
    cleanups.push(() => cancelAll([alpha, beta]));
    const names: Record<string, string> = { [shortId(alpha)]: 'alpha-', [shortId(beta)]: 'beta-' };
    tmux = await openTui(cluster.home, [], wide);

    const listed = await tmux.waitFor(
      (screen) =>
        tasksUnder(screen, wide, 'Running')
          .map((task) => task.short)
          .sort()
          .join() === [shortId(alpha), shortId(beta)].sort().join(),
      { what: `${shortId(alpha)} and ${shortId(beta)} under Running` },
    );
    const first = selectedTask(listed, wide) ?? '';
    const firstLines = names[first] ?? '';
    expect(firstLines, `the selected row of:\n${listed}`).not.toBe('');
    // The selected task's pane shows its newest lines, and they keep coming.
    const shown = await tmux.waitFor((screen) => highest(firstLines, paneText(screen, wide)) > 0, {
      what: `${firstLines}N in the pane`,
    });
    const before = highest(firstLines, paneText(shown, wide));
    await tmux.waitFor((screen) => highest(firstLines, paneText(screen, wide)) >= before + 5, {
      what: `the pane to advance past ${firstLines}${before + 5}`,
    });

    // p pins it, j moves to the other, p pins that one too: both panes stream.
    await tmux.sendKeys('p');
    await tmux.waitFor((screen) => count(screen, '⚑') === 1, { what: 'one pinned pane' });
    await tmux.sendKeys('j');
    await tmux.waitFor((screen) => selectedTask(screen, wide) !== first, { what: 'the other row selected' });
    await tmux.sendKeys('p');
    const both = await tmux.waitFor(
      (screen) => count(screen, '⚑') === 2 && highest('alpha-', paneText(screen, wide)) > 0,
      { what: 'two pinned panes' },
    );
    const pinnedAt = {
      alpha: highest('alpha-', paneText(both, wide)),
      beta: highest('beta-', paneText(both, wide)),
    };
    await tmux.waitFor(
      (screen) =>
        highest('alpha-', paneText(screen, wide)) >= pinnedAt.alpha + 5 &&
        highest('beta-', paneText(screen, wide)) >= pinnedAt.beta + 5,
      { what: 'both pinned panes advancing' },
    );
  }, 30_000);

  it('shows an agent approval in view 2 and the count in the status bar; a approves it and the task finishes', async () => {
    tmux = await openTui(cluster.home, [], wide);
    await tmux.waitFor('● connected to');
    const taskId = await submitClaude('run: echo approved-by-tui > made.txt');

    await tmux.waitFor('⚠ 1 approval ', { timeoutMs: 30_000 });
    await tmux.sendKeys('2');
    const queue = await tmux.waitFor(
      (screen) => screen.includes('›2 Approvals (1)') && screen.includes('echo approved-by-tui > made.txt'),
      { what: 'the request in the approvals view' },
    );
    expect(queue).toMatch(new RegExp(`›${shortId(taskId)}\\s+claude\\s+fleet\\s+Bash\\s+execute`));
    await tmux.sendKeys('a');
    await tmux.waitFor(/approved a-\S+/, { what: 'the answer on the hint line' });
    await tmux.waitFor('⚠ 0 approvals');

    await tmux.sendKeys('1');
    const finished = await tmux.waitFor(
      (screen) =>
        tasksUnder(screen, wide, 'Finished').some((t) => t.short === shortId(taskId) && t.glyph === '✓'),
      { what: `${shortId(taskId)} under Finished with ✓`, timeoutMs: 30_000 },
    );
    expect(finished).not.toContain('⚠ 1 approval');
    // Its pane tells the story: approved, then the agent's answer, then the final status.
    await selectTask(tmux, wide, shortId(taskId));
    // A pane fetches its task's events once shown: wait for them to arrive.
    const pane = paneText(
      await tmux.waitFor((screen) => paneText(screen, wide).includes('■ succeeded'), {
        what: 'the final status in its pane',
      }),
      wide,
    );
    expect(pane).toMatch(/✓ approved by/);
    expect((await nexa(cluster.home, ['diff', taskId])).stdout).toContain('+approved-by-tui');
  }, 60_000);

  it('d with a typed reason denies the request, the agent is told why, and the screen says denied', async () => {
    tmux = await openTui(cluster.home, [], wide);
    await tmux.waitFor('● connected to');
    const taskId = await submitClaude('run: rm -rf README.md\nsay: finished anyway');

    await tmux.waitFor('⚠ 1 approval ', { timeoutMs: 30_000 });
    await tmux.sendKeys('2');
    // The view must have changed before the next key: a key is read against the screen it lands on.
    await tmux.waitFor(
      (screen) => screen.includes('›2 Approvals (1)') && screen.includes('$ rm -rf README.md'),
      {
        what: 'the request in the approvals view',
      },
    );
    await tmux.sendKeys('d');
    await tmux.waitFor('why (the agent reads it)');
    await tmux.sendKeys('keep the readme');
    await tmux.waitFor('keep the readme');
    await tmux.sendKeys('Enter');
    await tmux.waitFor(/denied a-\S+: keep the readme/, { what: 'the denial on the hint line' });
    await tmux.waitFor('⚠ 0 approvals');

    await tmux.sendKeys('1');
    await tmux.waitFor(
      (screen) => tasksUnder(screen, wide, 'Finished').some((t) => t.short === shortId(taskId)),
      { what: `${shortId(taskId)} under Finished`, timeoutMs: 30_000 },
    );
    await selectTask(tmux, wide, shortId(taskId));
    await tmux.waitFor((screen) => paneText(screen, wide).includes('✗ denied: keep the readme'), {
      what: 'the denial and its reason in the pane',
    });
    // The agent was told: the reason came back to the model as the tool's result ...
    const told = cluster.fake.requests.filter((request) =>
      JSON.stringify(request.body).includes('keep the readme'),
    );
    expect(told.length).toBeGreaterThan(0);
    // ... and it carried on, quoting it in its answer.
    const logs = await nexa(cluster.home, ['logs', taskId]);
    expect(logs.stdout).toMatch(/finished anyway \(last tool result: .*keep the readme/);
  }, 60_000);

  it('says reconnecting while the coordinator is down, and the zoomed pane ends with every number once', async () => {
    const home = await makeHome();
    const daemons: Daemon[] = [];
    cleanups.push(async () => {
      for (const daemon of daemons.reverse()) await daemon.stop('SIGKILL');
      await home.cleanup();
    });
    const first = await startServer(home);
    daemons.push(first.daemon);
    home.env.NEXA_SERVER = first.url;
    daemons.push(await startWorker(home, first.url, await workerToken(home, first.url), ['--name', 'w']));
    const tall: TuiSize = { cols: 120, rows: 70 };
    tmux = await openTui(home, [], tall);
    await tmux.waitFor(`● connected to ${first.url}`);

    const run = await nexa(home, [
      'run',
      '--sandbox',
      'process',
      '--detach',
      '--',
      'sh',
      '-c',
      'for i in $(seq 1 60); do echo n$i; sleep 0.1; done',
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    await tmux.waitFor((screen) => numbersAfter('n', paneText(screen, tall)).includes(3), {
      what: 'n3 in the pane',
    });
    await tmux.sendKeys('Enter'); // zoom: the pane takes the whole body, room for all 60 lines
    await tmux.waitFor((screen) => !screen.includes('Running (1)'), { what: 'the pane zoomed' });

    first.daemon.signal('SIGKILL');
    await first.daemon.child;
    const down = await tmux.waitFor(`reconnecting to ${first.url}`);
    const seenBeforeRestart = numbersAfter('n', paneText(down, tall, true));
    const second = await startServer(home, [], new URL(first.url).port);
    daemons.push(second.daemon);
    await tmux.waitFor(`● connected to ${first.url}`, { timeoutMs: 15_000 });

    const done = await tmux.waitFor('■ succeeded', { timeoutMs: 30_000 });
    const numbers = numbersAfter('n', paneText(done, tall, true));
    expect(seenBeforeRestart.length).toBeLessThan(60); // the kill landed while it streamed
    expect(numbers).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  }, 60_000);

  it('nexa up in a terminal opens the TUI; q asks, y stops everything and leaves no process behind', async () => {
    const home = await makeHome();
    const dataDir = join(home.dir, 'up-data');
    cleanups.push(() => home.cleanup());
    tmux = await Tmux.start({
      command: [process.execPath, nexaBin, 'up', '--port', '0', '--allow-unsandboxed', '--data-dir', dataDir],
      env: home.env,
      cols: 120,
      rows: 30,
    });
    const upPid = await tmux.pid();
    await tmux.waitFor(
      (screen) => /● connected to http:\/\/\S+/.test(screen) && screen.includes('3 Workers (1)'),
      {
        what: 'the TUI connected, with its local worker',
        timeoutMs: 20_000,
      },
    );

    // A unique duration marks the task's process, so a leftover is found by its command line.
    const marker = `300.${randomInt(10_000, 99_999)}`;
    const run = await nexa(home, ['run', '--sandbox', 'process', '--detach', '--', 'sleep', marker]);
    expect(run.exitCode, run.stderr).toBe(0);
    await tmux.waitFor('│ 1 running │');
    expect(await processesWith(marker)).toHaveLength(1);

    await tmux.sendKeys('q');
    await tmux.waitFor('Quit stops Nexa');
    await tmux.sendKeys('y');
    expect(await tmux.waitForExit({ timeoutMs: 20_000 })).toBe(0);
    expect(await processesWith(marker)).toEqual([]);
    expect(await processesWith(dataDir)).toEqual([]);
    expect(alive(upPid)).toBe(false);
  }, 60_000);

  it('writes no full-screen clear and no frame taller than the terminal while 20 tasks stream', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nexa-tui-bytes-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const gate = join(dir, 'go');
    const recorded = join(dir, 'terminal.bytes');
    // Each task waits at a gate so that the panes can be pinned first, then prints 100 lines in
    // bursts of 10 for about 2 s: long enough for several live frames (at most 5 a second) however
    // fast the coordinator delivers them (at 0.5 s, a faster write path left room for only 4).
    const stream = (k: number) =>
      `while [ ! -e ${gate} ]; do sleep 0.05; done; i=0; while [ $i -lt 100 ]; do i=$((i+1)); echo "s${k} line $i"; case $i in *0) sleep 0.2;; esac; done`;
    const ids = await Promise.all(Array.from({ length: 20 }, (_, k) => submitShell(stream(k))));
    cleanups.push(() => cancelAll(ids));
    tmux = await openTui(cluster.home, [], wide, recorded);
    const shorts = ids.map(shortId).sort().join();
    await tmux.waitFor(
      (screen) =>
        tasksUnder(screen, wide, 'Running')
          .map((task) => task.short)
          .sort()
          .join() === shorts,
      { what: 'the 20 tasks under Running', timeoutMs: 20_000 },
    );

    for (let pinned = 1; pinned <= 4; pinned++) {
      const screen = await tmux.screen();
      const at = selectedTask(screen, wide);
      if (pinned > 1) {
        await tmux.sendKeys('j');
        await tmux.waitFor((next) => selectedTask(next, wide) !== at, { what: 'the next row selected' });
      }
      await tmux.sendKeys('p');
      await tmux.waitFor((next) => count(next, '⚑') === pinned, { what: `${pinned} pinned panes` });
    }
    const beforeStreaming = (await stat(recorded)).size;
    await writeFile(gate, '');
    const end = await tmux.waitFor((screen) => count(paneText(screen, wide), '■ succeeded') === 4, {
      what: 'the 4 pinned panes ending',
      timeoutMs: 30_000,
    });
    expect(paneText(end, wide).match(/\bs\d+ line 100\b/g)).toHaveLength(4);
    await tmux.sendKeys('q');
    expect(await tmux.waitForExit()).toBe(0);

    const bytes = await readFile(recorded);
    const report = analyzeTerminalBytes(bytes, wide);
    // It did redraw as the tasks streamed, not only when keys were pressed.
    expect(analyzeTerminalBytes(bytes.subarray(beforeStreaming), wide).frames).toBeGreaterThanOrEqual(5);
    expect(report.fullClearsAfterFirst).toBe(0);
    expect(report.framesAtLeastScreenHeight).toBe(0);
    expect(report.tallestFrame).toBeLessThan(wide.rows);
  }, 60_000);

  it('a refused token says so and how to fix it, exits 125, and leaves the terminal usable', async () => {
    // A shell around it, to type into the terminal once the TUI has gone.
    const script = `"$@"; s=$?; echo "tui exited $s"; read -r line; echo "typed [$line]"; exit $s`;
    tmux = await Tmux.start({
      command: [
        'sh',
        '-c',
        script,
        'sh',
        process.execPath,
        nexaBin,
        'tui',
        '--server',
        cluster.url,
        '--token',
        'nope',
      ],
      env: cluster.home.env,
      cols: 120,
      rows: 30,
    });
    const refused = (await tmux.waitFor('tui exited 125')).replace(/\s+/g, ' '); // the line wraps at 120
    expect(refused).toContain(`nexa: the server at ${cluster.url} refused the token`);
    expect(refused).toContain('pass a valid one with --token or NEXA_TOKEN');
    // The cursor is back, and the line discipline echoes and ends lines on Enter (no raw mode left).
    expect((await tmux.run(['display-message', '-p', '-t', 'main', '#{cursor_flag}'])).trim()).toBe('1');
    await tmux.sendKeys('hello', 'Enter');
    const typed = await tmux.waitFor('typed [hello]');
    expect(typed).toMatch(/^hello$/m);
    expect(await tmux.waitForExit()).toBe(125);
  });
});

/** Ends the tasks a test left running (one that has ended already is fine). */
async function cancelAll(ids: string[]): Promise<void> {
  await Promise.all(ids.map((id) => cluster.observer.api.tasks.cancel.mutate({ id }).catch(() => undefined)));
}

/** Live processes whose command line contains `text`, but for the test's terminal (tmux and its pane wrapper). */
async function processesWith(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (argv[0] === 'tmux' || (argv[0] === 'sh' && argv[2]?.startsWith('tmux wait-for'))) continue;
    if (argv.join(' ').includes(text)) found.push(`${entry}: ${argv.join(' ')}`);
  }
  return found;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
