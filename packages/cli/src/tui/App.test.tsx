import { describe, expect, it } from 'vitest';
import { commands, keyBindings, keyDescriptions } from './keys/keyBindings.js';
import { makeApproval, makeTask, makeWorker, NOW } from './testing/fixtures.js';
import { drawAtNow, keys } from './testing/frameTest.js';
import { recordingActions, renderTui } from './testing/renderTui.js';

const size = { cols: 100, rows: 30 };

drawAtNow();

const byId = <T extends { id: string }>(...items: T[]) => Object.fromEntries(items.map((i) => [i.id, i]));

describe('keys', () => {
  it('every command has a binding and a description, and the help screen names its nexa command', async () => {
    for (const command of commands) {
      expect(keyBindings[command].length).toBeGreaterThan(0);
      expect(keyDescriptions[command].text).not.toBe('');
    }
    const ui = await renderTui({}, { cols: 120, rows: 60 });
    await ui.stdin.write('?');
    expect(ui.frame).toContain('nexa approve ID --always');
    expect(ui.frame).toContain('nexa workers undrain ID');
    await ui.stdin.write(keys.escape);
    expect(ui.frame).not.toContain('nexa approve ID --always');
    ui.unmount();
  });

  it('keys that arrive together (fast typing, a slow SSH link) each count', async () => {
    const tasks = Array.from({ length: 3 }, (_, i) => makeTask({ command: [`job-${i}`] }));
    const ui = await renderTui({ tasks: byId(...tasks) }, { cols: 160, rows: 48 });
    await ui.stdin.write('pjpjp');
    expect(ui.lines.filter((line) => line.includes('⚑')).join('\n')).toMatch(/job-0.*job-1/);
    expect(ui.sources.size).toBe(3);
    // each key against the state the one before made: 3 opens the workers view, x drains there
    const worker = makeWorker({ name: 'box' });
    const actions = recordingActions();
    const burst = await renderTui({ workers: [worker] }, size, { actions });
    await burst.stdin.write('3x');
    await burst.waitForFrame((frame) => frame.includes(`drain ${worker.id}`));
    expect(actions.calls).toEqual([`drain ${worker.id}`]);
    burst.unmount();
  });

  it('Tab and the number keys switch views', async () => {
    const ui = await renderTui({ workers: [makeWorker({ name: 'gpu-box' })] }, size);
    await ui.stdin.write('3');
    expect(ui.frame).toContain('gpu-box');
    await ui.stdin.write(keys.tab);
    expect(ui.frame).toContain('3 Workers (1)  ›4 Threads');
    expect(ui.frame).toContain('No threads yet');
    await ui.stdin.write(keys.tab);
    expect(ui.frame).toContain('Nexa  ›1 Tasks   2 Approvals   3 Workers (1)   4 Threads');
    await ui.stdin.write('2');
    expect(ui.frame).toContain('No agent is waiting');
    ui.unmount();
  });

  it('a: approves once and selects the next pending request; d asks for a reason and denies with it', async () => {
    const first = makeApproval({
      action: 'run `rm -rf build`',
      createdAt: new Date(NOW - 60_000).toISOString(),
    });
    const second = makeApproval({
      action: 'run `npm publish`',
      command: 'npm publish',
      createdAt: new Date(NOW - 30_000).toISOString(),
    });
    const third = makeApproval({
      action: 'run `git push`',
      command: 'git push',
      createdAt: new Date(NOW - 10_000).toISOString(),
    });
    const actions = recordingActions();
    const ui = await renderTui({ view: 'approvals', approvals: byId(first, second, third) }, size, {
      actions,
    });
    expect(ui.frame).toMatch(/›.*rm -rf build/);
    await ui.stdin.write('a');
    await ui.waitForFrame((frame) => /›.*npm publish/.test(frame));
    expect(actions.calls).toEqual([`approve ${first.id}`]);
    expect(ui.frame).toContain('⚠ 2 approvals');
    await ui.stdin.write('d');
    expect(ui.frame).toContain('why (the agent reads it)');
    await ui.stdin.write(keys.enter);
    expect(ui.frame).toContain('type a reason');
    await ui.stdin.write('not on a Friday');
    await ui.stdin.write(keys.enter);
    await ui.waitForFrame((frame) => /›.*git push/.test(frame));
    expect(actions.calls).toEqual([`approve ${first.id}`, `deny ${second.id}: not on a Friday`]);
    await ui.stdin.write('A');
    await ui.waitForFrame((frame) => frame.includes('No agent is waiting'));
    expect(actions.calls.at(-1)).toBe(`approve ${third.id} always`);
    ui.unmount();
  });

  it('c asks before cancelling; n keeps the task', async () => {
    const task = makeTask();
    const actions = recordingActions();
    const ui = await renderTui({ tasks: byId(task) }, size, { actions });
    await ui.stdin.write('c');
    expect(ui.frame).toContain(`Cancel task ${task.id}?`);
    await ui.stdin.write('n');
    expect(actions.calls).toEqual([]);
    await ui.stdin.write('c');
    await ui.stdin.write('y');
    await ui.waitForFrame((frame) => frame.includes(`cancel ${task.id}`));
    expect(actions.calls).toEqual([`cancel ${task.id}`]);
    ui.unmount();
  });

  it('p pins up to four panes, shown side by side; a fifth is refused with a reason', async () => {
    const tasks = Array.from({ length: 5 }, (_, i) => makeTask({ command: [`job-${i}`] }));
    const ui = await renderTui({ tasks: byId(...tasks) }, { cols: 160, rows: 48 });
    for (let i = 0; i < 4; i++) {
      await ui.stdin.write('p');
      await ui.stdin.write('j');
    }
    await ui.stdin.write('p');
    expect(ui.frame).toContain('at most 4 panes');
    const headers = ui.lines.filter((line) => line.includes('⚑'));
    expect(headers.join('\n')).toMatch(/job-0.*job-1/); // two panes on one row: a 2×2 grid
    expect(ui.sources.size).toBe(4);
    ui.unmount();
  });

  it('/ filters the list by status, agent, worker, label or text; the filter shows in the tab bar', async () => {
    const tasks = [
      makeTask({ command: ['make', 'lint'], workerName: 'gpu-1', labels: { team: 'web' } }),
      makeTask({ command: ['make', 'test'], status: 'queued', workerName: null }),
      makeTask({
        agent: 'claude',
        prompt: 'fix the flaky test',
        command: [],
        status: 'succeeded',
        finishedAt: new Date(NOW).toISOString(),
      }),
    ];
    const ui = await renderTui({ tasks: byId(...tasks) }, size);
    await ui.stdin.write('/');
    await ui.stdin.write('label:team=web');
    await ui.stdin.write(keys.enter);
    expect(ui.frame).toContain('make lint');
    expect(ui.frame).not.toContain('make test');
    expect(ui.lines[0]).toContain('filter: label:team=web');
    await ui.stdin.write('/');
    for (let i = 0; i < 20; i++) await ui.stdin.write('\u007f');
    await ui.stdin.write('agent:claude flaky');
    await ui.stdin.write(keys.enter);
    expect(ui.frame).toContain('fix the flaky test');
    expect(ui.frame).not.toContain('make lint');
    ui.unmount();
  });

  it('n: the new-task form checks input as nexa run does, then submits', async () => {
    const actions = recordingActions();
    const ui = await renderTui({}, size, { actions });
    await ui.stdin.write('n');
    expect(ui.frame).toContain('New task (as nexa run)');
    await ui.stdin.write(keys.enter);
    expect(ui.frame).toContain('nothing to run');
    await ui.stdin.write('echo hello');
    await ui.stdin.write(keys.enter);
    await ui.waitForFrame((frame) => frame.includes('submit ["echo","hello"]'));
    expect(actions.calls).toEqual(['submit ["echo","hello"]']);
    ui.unmount();
  });

  it('x drains and u undrains the selected worker', async () => {
    const worker = makeWorker({ name: 'box' });
    const actions = recordingActions();
    const ui = await renderTui({ view: 'workers', workers: [worker] }, size, { actions });
    await ui.stdin.write('x');
    await ui.stdin.write('u');
    await ui.waitForFrame((frame) => frame.includes(`undrain ${worker.id}`));
    expect(actions.calls).toEqual([`drain ${worker.id}`, `undrain ${worker.id}`]);
    ui.unmount();
  });

  it('q quits at once when attached; inside nexa up with tasks running it asks first', async () => {
    const attached = recordingActions();
    const ui = await renderTui({ tasks: byId(makeTask()) }, size, { actions: attached });
    await ui.stdin.write('q');
    expect(attached.calls).toEqual(['quit']);
    ui.unmount();

    const embedded = recordingActions();
    const up = await renderTui({ embedded: true, tasks: byId(makeTask()) }, size, { actions: embedded });
    await up.stdin.write('q');
    expect(up.frame).toContain('1 task runs here. Quit stops Nexa');
    expect(embedded.calls).toEqual([]);
    await up.stdin.write('y');
    expect(embedded.calls).toEqual(['quit']);
    up.unmount();
  });

  it('a task title carrying terminal controls is shown escaped, never acted on', async () => {
    const task = makeTask({ command: ['echo', '\u001b[2J\u001b]0;pwned\u0007hi'], lastLine: 'ok\u001b[31m' });
    const ui = await renderTui({ tasks: byId(task) }, size);
    expect(ui.frame).toContain('\\x1b[2J');
    expect(ui.written).not.toContain('\u001b[2J');
    expect(ui.written).not.toContain('pwned\u0007');
    ui.unmount();
  });

  it('follows resizes, and the frame stays shorter than the terminal', async () => {
    const ui = await renderTui({ tasks: byId(makeTask()) }, { cols: 80, rows: 24 });
    await ui.resize({ cols: 120, rows: 40 });
    expect(ui.lines.length).toBeLessThan(40);
    expect(ui.frame).toMatch(/make test\s+shell\s+build-1/);
    // Growing never clears the screen. (Shrinking the height below the last
    // frame makes Ink redraw from a clear screen once: the terminal has
    // already reflowed what was there.)
    expect(ui.written).not.toContain('\u001b[2J');
    expect(ui.written).not.toContain('\u001b[3J');
    await ui.resize({ cols: 80, rows: 24 });
    expect(ui.lines.length).toBeLessThan(24);
    ui.unmount();
  });
});
