import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, output, startCluster } from './cluster.js';
import { nexa, nexaInBackground, resultTaskId, showTask } from './harness.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
  await cluster.worker('main', ['--capacity', '4']);
});
afterAll(() => cluster?.stop());

/** Whether any process on this machine still runs with this exact marker in its command line. */
function processAlive(marker: string): boolean {
  const table = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return table.split('\n').some((line) => line.includes(marker) && !line.includes('ps -eo'));
}

describe('cancel', () => {
  it('kills a task that ignores SIGTERM after the grace period; it ends cancelled and nexa run exits 130', async () => {
    const marker = 'sleep 737.1';
    const run = nexaInBackground(cluster.home, [
      'run',
      '--sandbox',
      'process',
      '--grace',
      '1s',
      '--',
      'sh',
      '-c',
      `trap "" TERM; echo ready; ${marker}`,
    ]);
    const taskId = await cluster.nextTask();
    await cluster.observer.waitForEvent(taskId, output('ready'));
    expect(processAlive(marker)).toBe(true);

    const cancel = await nexa(cluster.home, ['cancel', taskId]);
    expect(cancel).toMatchObject({ exitCode: 0, stdout: `${taskId} is being cancelled\n` });
    const result = await run.result;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain(`nexa: task ${taskId} cancelled`);
    const task = await cluster.observer.task(taskId);
    expect(task.status).toBe('cancelled');
    const endedAfterMs = Date.parse(task.finishedAt ?? '') - Date.parse(task.cancelRequestedAt ?? '');
    expect(endedAfterMs).toBeGreaterThanOrEqual(1000); // it ignored SIGTERM: only SIGKILL after the grace ended it
    expect(endedAfterMs).toBeLessThan(5000);
    expect(processAlive(marker)).toBe(false); // the whole process group is gone
  });

  it('Ctrl-C on nexa run cancels the task and exits 130; a second Ctrl-C detaches at once', async () => {
    const run = nexaInBackground(cluster.home, [
      'run',
      '--sandbox',
      'process',
      '--grace',
      '5s',
      '--',
      'sh',
      '-c',
      'trap "" TERM; echo ready; sleep 737.2',
    ]);
    const taskId = await cluster.nextTask();
    await cluster.observer.waitForEvent(taskId, output('ready'));
    run.daemon.signal('SIGINT');
    await cluster.observer.waitForTask(taskId, (t) => t.cancelRequestedAt !== null);
    run.daemon.signal('SIGINT'); // do not wait out the 5 s grace
    const result = await run.result;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('(Ctrl-C again to detach)');
    expect(result.stderr).toContain('nexa: detached');
    expect((await cluster.observer.waitForTask(taskId, (t) => t.status === 'cancelled')).status).toBe(
      'cancelled',
    );
  });

  it('ends a queued task at once', async () => {
    const queued = await cluster.observer.api.tasks.submit.mutate({
      sandbox: 'process',
      command: ['true'],
      labels: { nowhere: '1' },
    });
    await cluster.nextTask(); // this one is not started through nexa run
    const result = await nexa(cluster.home, ['cancel', queued.id, '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: queued.id, status: 'cancelled' });
    const again = await nexa(cluster.home, ['cancel', queued.id]);
    expect(again.exitCode).toBe(125);
    expect(again.stderr).toBe(`nexa: task ${queued.id} has already ended (cancelled)\n`);
  });
});

describe('timeouts', () => {
  it('--timeout 2s on sleep 60 exits 124 within 2 s plus the grace period', async () => {
    const result = await nexa(cluster.home, [
      'run',
      '--sandbox',
      'process',
      '--timeout',
      '2s',
      '--grace',
      '1s',
      '--',
      'sleep',
      '60',
    ]);
    expect(result.exitCode).toBe(124);
    expect(result.stderr).toBe('nexa: timed out after 2s\n');
    const task = (await cluster.observer.api.tasks.list.query({ limit: 1 }))[0];
    expect(task?.status).toBe('timed_out');
    const ranMs = Date.parse(task?.finishedAt ?? '') - Date.parse(task?.startedAt ?? '');
    expect(ranMs).toBeGreaterThanOrEqual(2000);
    expect(ranMs).toBeLessThan(3000);
  });

  it('rejects a duration it cannot read', async () => {
    const result = await nexa(cluster.home, [
      'run',
      '--sandbox',
      'process',
      '--timeout',
      'soon',
      '--',
      'true',
    ]);
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toBe(
      'nexa: --timeout "soon" is not a duration; write it like 500ms, 30s, 2m, 1h or 1m30s\n',
    );
  });
});

describe('retry, drain and waiting', () => {
  it('retries a finished task as a new attempt whose output follows the first', async () => {
    const first = await nexa(cluster.home, [
      'run',
      '--sandbox',
      'process',
      '--json',
      '--',
      'sh',
      '-c',
      'echo "try $NEXA_ATTEMPT"; exit 1',
    ]);
    expect(first.exitCode).toBe(1);
    const taskId = resultTaskId(first);
    const retry = await nexa(cluster.home, ['retry', taskId]);
    expect(retry.stdout).toBe(`${taskId} queued again as attempt 2\n`);
    const follow = await nexa(cluster.home, ['logs', taskId, '--follow']);
    expect(follow.stdout).toBe('try 1\ntry 2\n');
    const show = await showTask(cluster.home, taskId);
    expect(show.attempts.map((a: { status: string }) => a.status)).toEqual(['failed', 'failed']);
  });

  it('says why a task waits, and a drained worker takes no new tasks', async () => {
    const gpu = await cluster.observer.api.tasks.submit.mutate({
      sandbox: 'process',
      command: ['true'],
      labels: { gpu: '1' },
    });
    const show = await nexa(cluster.home, ['tasks', 'show', gpu.id]);
    expect(show.stdout).toMatch(/Waiting for:\s+no connected worker has label gpu=1/);
    await nexa(cluster.home, ['cancel', gpu.id]);

    const drain = await nexa(cluster.home, ['workers', 'drain', 'main']);
    expect(drain.stdout).toMatch(/^main is draining/);
    const waiting = await cluster.observer.api.tasks.submit.mutate({
      sandbox: 'process',
      command: ['echo', 'later'],
    });
    const task = await cluster.observer.task(waiting.id);
    expect(task).toMatchObject({ status: 'queued', waitingFor: 'every eligible worker is draining (main)' });
    const list = JSON.parse((await nexa(cluster.home, ['workers', 'list', '--json'])).stdout) as {
      name: string;
      status: string;
    }[];
    expect(list.find((w) => w.name === 'main')?.status).toBe('draining');

    const undrain = await nexa(cluster.home, ['workers', 'undrain', 'main', '--json']);
    expect(JSON.parse(undrain.stdout)).toMatchObject({ name: 'main', status: 'online' });
    await cluster.observer.waitForTask(waiting.id, (t) => t.status === 'succeeded');
    const unknown = await nexa(cluster.home, ['workers', 'undrain', 'nope']);
    expect(unknown).toMatchObject({ exitCode: 125, stdout: '' }); // as every unknown id
    expect(unknown.stderr).toMatch(/no worker nope/);
  });
});
