import type { StoredTaskEvent } from '@nexa/core';
import { describe, expect, it } from 'vitest';
import { PaneSources } from './feeds/paneSources.js';
import { expectFrame } from './testing/expectFrame.js';
import { makeApproval, makeTask, makeWorker, manyTasks, NOW } from './testing/fixtures.js';
import { drawAtNow, frameSizes } from './testing/frameTest.js';
import { renderTui } from './testing/renderTui.js';

const output = (seq: number, data: string): StoredTaskEvent =>
  ({
    seq,
    at: new Date(NOW).toISOString(),
    kind: 'output',
    stream: 'stdout',
    data,
  }) as unknown as StoredTaskEvent;

drawAtNow();

describe.each(frameSizes)('frames at $cols×$rows', (size) => {
  it('an empty coordinator says how to start', async () => {
    const ui = await renderTui({}, size);
    expect(ui.frame).toContain('No tasks');
    expect(ui.frame).toContain('nexa run -- echo hello');
    expect(ui.frame).toContain('connected to http://127.0.0.1:7420');
    await expectFrame('empty', ui, size);
    ui.unmount();
  });

  it('200 tasks: grouped, only the rows that fit, counts in the status bar', async () => {
    const tasks = manyTasks(200);
    const ui = await renderTui({ tasks: Object.fromEntries(tasks.map((t) => [t.id, t])) }, size);
    expect(ui.frame).toContain('Needs you (40)');
    expect(ui.frame).toMatch(/80 running │ 40 queued/);
    await expectFrame('200-tasks', ui, size);
    ui.unmount();
  });

  it('a pending approval with a diff, in full, with its count highlighted', async () => {
    const task = makeTask({
      agent: 'claude',
      prompt: 'tidy the build',
      command: [],
      status: 'waiting_approval',
    });
    const approval = makeApproval({
      taskId: task.id,
      tool: 'Edit',
      action: 'edit src/app.ts',
      command: undefined,
      paths: ['src/app.ts'],
      risk: 'write',
      diff: '--- a/src/app.ts\n+++ b/src/app.ts\n@@ -1,2 +1,2 @@\n-const port = 80;\n+const port = 8080;\n',
    });
    const ui = await renderTui(
      { view: 'approvals', tasks: { [task.id]: task }, approvals: { [approval.id]: approval } },
      size,
    );
    expect(ui.frame).toContain('+const port = 8080;');
    expect(ui.frame).toContain('⚠ 1 approval');
    await expectFrame('approval-diff', ui, size);
    ui.unmount();
  });

  it('a lost worker, and why an agent cannot run', async () => {
    const workers = [
      makeWorker({ name: 'build-1', labels: { gpu: '1' } }),
      makeWorker({
        name: 'laptop',
        status: 'lost',
        running: 0,
        lastSeenAt: new Date(NOW - 300_000).toISOString(),
        unavailableAgents: [{ agent: 'claude', reason: 'no ANTHROPIC_API_KEY passed; see --pass-env' }],
      }),
    ];
    const ui = await renderTui(
      {
        view: 'workers',
        workers,
        selected: { tasks: null, approvals: null, workers: workers[1]?.id ?? null, threads: null },
      },
      size,
    );
    expect(ui.frame).toMatch(/laptop\s+lost/);
    expect(ui.frame).toContain('claude not ready: no ANTHROPIC_API_KEY passed; see --pass-env');
    await expectFrame('worker-lost', ui, size);
    ui.unmount();
  });

  it('the help screen, the new-task form and a diff, over the tasks view', async () => {
    const task = makeTask({ repo: '/src/app', status: 'succeeded', finishedAt: new Date(NOW).toISOString() });
    const help = await renderTui({ overlay: { kind: 'help' } }, size);
    expect(help.frame).toContain('nexa tasks list');
    await expectFrame('help', help, size);
    help.unmount();
    const form = await renderTui({ overlay: { kind: 'newTask' } }, size);
    expect(form.frame).toContain('New task (as nexa run)');
    await expectFrame('new-task', form, size);
    form.unmount();
    const diff = await renderTui(
      { tasks: { [task.id]: task }, overlay: { kind: 'diff', taskId: task.id } },
      size,
    );
    await diff.waitForFrame((frame) => frame.includes('+new'));
    await expectFrame('diff', diff, size);
    diff.unmount();
  });

  it('reconnecting, in the status bar', async () => {
    const task = makeTask();
    const ui = await renderTui(
      { connection: { status: 'reconnecting', server: 'http://127.0.0.1:7420' }, tasks: { [task.id]: task } },
      size,
    );
    expect(ui.lines.at(-1)).toContain('reconnecting to http://127.0.0.1:7420');
    await expectFrame('reconnecting', ui, size);
    ui.unmount();
  });

  it('a pane renders ANSI colours and a carriage-return progress bar as a terminal would', async () => {
    const task = makeTask({ command: ['./build.sh'] });
    const sources = new PaneSources(null);
    const paneRows = size.rows >= 48 ? 42 : 10; // any size: the pane resizes the terminal to fit
    const source = sources.acquire(task.id, size.cols, paneRows);
    source.transcript.append([
      output(1, '\u001b[32mPASS\u001b[0m src/a.test.ts\n\u001b[31mFAIL\u001b[0m src/b.test.ts\n'),
      output(2, 'downloading 10%\rdownloading 50%\rdownloading 100%\n'),
    ]);
    await source.buffer.flushed();
    const ui = await renderTui({ tasks: { [task.id]: task } }, size, { sources });
    await ui.waitForFrame((frame) => frame.includes('downloading 100%'));
    expect(ui.frame).not.toContain('downloading 10%');
    expect(ui.written).toContain('\u001b[32m'); // colour reached the screen
    await expectFrame('pane-ansi', ui, size);
    ui.unmount();
  });
});
