import { describe, expect, it } from 'vitest';
import { adminToken, nexa, nexaInBackground, showTask, startWorker, workerToken } from './harness.js';
import { observe } from './observer.js';
import { crashableCoordinator } from './servedHome.js';
import { eventsOf } from './taskEvents.js';

const coordinator = crashableCoordinator();
const home = coordinator.home;

const LINES = 200_000;
const expected = `${Array.from({ length: LINES }, (_, i) => `line ${i + 1}`).join('\n')}\n`;

/** "complete", or where the output first departs from lines 1..LINES (a 200,000-line diff helps nobody). */
function completeness(stdout: string): string {
  if (stdout === expected) return 'complete';
  const lines = stdout.split('\n');
  const first = lines.findIndex((line, index) => index < LINES && line !== `line ${index + 1}`);
  return `${lines.length - 1} lines; first departure at index ${first}: ${JSON.stringify(lines.slice(Math.max(0, first - 1), first + 2))}`;
}

describe('a coordinator killed mid-task', () => {
  it('loses nothing: the task finishes, and logs, logs --follow and nexa run each show every line once', async () => {
    const url = await coordinator.start();
    coordinator.keep(await startWorker(home, url, await workerToken(home, url), ['--name', 'w']));

    // 200,000 lines, paced so that the kill lands in the middle.
    const script =
      'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); echo "line $i"; if [ $((i % 4000)) -eq 0 ]; then sleep 0.1; fi; done';
    const run = nexaInBackground(home, ['run', '--sandbox', 'process', '--', 'sh', '-c', script]);
    coordinator.keep(run.daemon);
    const observer = observe(url, await adminToken(home, url));
    let taskId = '';
    while (!taskId) taskId = (await observer.api.tasks.list.query({ limit: 1 }))[0]?.id ?? '';
    const follow = nexaInBackground(home, ['logs', taskId, '--follow']);
    coordinator.keep(follow.daemon);
    await observer.waitForEvent(taskId, (e) => e.kind === 'output' && e.data.includes('line 20000\n'));
    await observer.close();

    await coordinator.kill();
    await coordinator.start(); // same port and data dir: clients reconnect by themselves

    const [ran, followed] = await Promise.all([run.result, follow.result]);
    expect(ran.exitCode, ran.stderr).toBe(0);
    expect(completeness(ran.stdout)).toBe('complete');
    expect(followed.exitCode).toBe(0);
    expect(completeness(followed.stdout)).toBe('complete');

    const logs = await nexa(home, ['logs', taskId]);
    expect(completeness(logs.stdout)).toBe('complete');
    const task = await showTask(home, taskId);
    expect(task).toMatchObject({ status: 'succeeded', attempt: 1 }); // the same attempt carried on
    const events = await eventsOf(home, taskId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, index) => index + 1));
  });
});
