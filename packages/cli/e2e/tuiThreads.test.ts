import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from './cluster.js';
import { nexa } from './harness.js';
import { type Tmux, tmuxOrSkip } from './tmux.js';
import { openTui, paneText, shortId, type TuiSize, tasksUnder } from './tuiScreen.js';

// Replying to an agent from the real `nexa tui` in a tmux pane, against real coordinator and
// worker processes: `m` on a running task posts in its thread, the pane shows it inline, the
// Threads view shows it in the tree, the Workers view shows the TUI on line, and
// `nexa thread show` prints the message.

const haveTmux = tmuxOrSkip('the TUI threads end-to-end test');

let cluster: Cluster;
beforeAll(async () => {
  if (!haveTmux) return;
  cluster = await startCluster();
  await cluster.worker('talk-1');
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

let tmux: Tmux | undefined;
let running: string | undefined;
afterEach(async () => {
  await tmux?.kill();
  tmux = undefined;
  if (running) await cluster.observer.api.tasks.cancel.mutate({ id: running }).catch(() => undefined);
  running = undefined;
});

const wide: TuiSize = { cols: 120, rows: 40 };

describe.skipIf(!haveTmux)('threads in nexa tui', () => {
  it('m sends a follow-up to a running task; it shows in its pane, in the Threads view and in nexa thread show', async () => {
    const task = await cluster.observer.api.tasks.submit.mutate({
      sandbox: 'process',
      command: ['sh', '-c', 'echo waiting-for-word; while :; do sleep 0.2; done'],
    });
    running = task.id;
    tmux = await openTui(cluster.home, [], wide);
    await tmux.waitFor(
      (screen) =>
        tasksUnder(screen, wide, 'Running').some((row) => row.short === shortId(task.id) && row.selected) &&
        paneText(screen, wide).includes('waiting-for-word'),
      { what: `${shortId(task.id)} selected under Running, its pane showing its output`, timeoutMs: 20_000 },
    );

    await tmux.sendKeys('m');
    await tmux.waitFor(`Message ${shortId(task.id)}'s agent`, { what: 'the follow-up box' });
    await tmux.type('please also run the linter');
    await tmux.sendKeys('Enter');
    await tmux.waitFor(`sent to ${shortId(task.id)}'s agent`, { what: 'the answer on the hint line' });
    // The task's own pane shows the follow-up inline, apart from its output.
    await tmux.waitFor((screen) => /» \S+ says: please also run the linter/.test(paneText(screen, wide)), {
      what: 'the follow-up in the pane',
    });

    // The Threads view lists the task's thread and shows the message in its tree.
    await tmux.sendKeys('4');
    const threads = await tmux.waitFor(
      (screen) =>
        screen.includes('›4 Threads') &&
        /↳|●.*· message ·/.test(screen) &&
        screen.includes('please also run the linter'),
      { what: "the task's thread open in the Threads view" },
    );
    expect(threads).toContain(shortId(task.id));

    // The Workers view says who is on line: this TUI's own session among them.
    await tmux.sendKeys('3');
    await tmux.waitFor(/People \(nexa who\): .*tui on line/, {
      what: 'this TUI on line in the Workers view',
    });

    const shown = await nexa(cluster.home, ['thread', 'show', task.id]);
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('please also run the linter');
  }, 60_000);
});
