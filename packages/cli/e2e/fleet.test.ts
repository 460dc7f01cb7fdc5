import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Daemon,
  type Home,
  makeHome,
  nexa,
  resultTaskId,
  showTask,
  startServer,
  startWorker,
  workerToken,
} from './harness.js';

let home: Home;
let server: Daemon;
let url: string;
const workers: Daemon[] = [];

beforeAll(async () => {
  home = await makeHome();
  ({ daemon: server, url } = await startServer(home));
  home.env.NEXA_SERVER = url;
  const token = await workerToken(home, url);
  workers.push(
    await startWorker(home, url, token, ['--name', 'alpha', '--capacity', '3', '--labels', 'pool=a']),
  );
  workers.push(
    await startWorker(home, url, token, ['--name', 'beta', '--capacity', '3', '--labels', 'pool=b']),
  );
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await server?.stop();
  await home?.cleanup();
});

describe('a fleet of two workers', () => {
  it('lists both workers with the fields of the --json contract', async () => {
    const result = await nexa(home, ['workers', 'list', '--json']);
    const listed = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(listed.map((w) => [w.name, w.status, w.labels, w.capacity])).toEqual([
      ['alpha', 'online', { pool: 'a' }, 3],
      ['beta', 'online', { pool: 'b' }, 3],
    ]);
    expect(listed.every((w) => typeof w.id === 'string' && (w.id as string).startsWith('w-'))).toBe(true);
  });

  it('runs ten tasks submitted at once, each exactly once, spread over both workers', async () => {
    // Each task appends one line to its own marker file outside its sandbox-free working dir.
    const markers = join(home.dir, 'markers');
    const runs = Array.from({ length: 10 }, (_, i) =>
      nexa(home, [
        'run',
        '--sandbox',
        'process',
        '--json',
        '--',
        'sh',
        '-c',
        `mkdir -p ${markers} && echo ran >> ${markers}/${i} && sleep 1 && echo task ${i}`,
      ]),
    );
    const results = await Promise.all(runs);
    expect(results.map((r) => r.exitCode)).toEqual(Array(10).fill(0));
    const taskIds = results.map(resultTaskId);
    expect(new Set(taskIds).size).toBe(10);

    const files = (await readdir(markers)).sort((a, b) => Number(a) - Number(b));
    expect(files).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    for (const file of files) expect(await readFile(join(markers, file), 'utf8')).toBe('ran\n');

    const tasks = JSON.parse((await nexa(home, ['tasks', 'list', '--json'])).stdout) as {
      id: string;
      workerId: string;
      attempt: number;
    }[];
    const ours = tasks.filter((t) => taskIds.includes(t.id));
    expect(ours.every((t) => t.attempt === 1)).toBe(true);
    expect(new Set(ours.map((t) => t.workerId)).size).toBe(2);
  });

  it('runs a task only on a worker with the labels it asks for', async () => {
    const result = await nexa(home, [
      'run',
      '--sandbox',
      'process',
      '--json',
      '--label',
      'pool=b',
      '--',
      'true',
    ]);
    const taskId = resultTaskId(result);
    const task = await showTask(home, taskId);
    const listed = JSON.parse((await nexa(home, ['workers', 'list', '--json'])).stdout) as {
      id: string;
      name: string;
    }[];
    expect(listed.find((w) => w.id === task.workerId)?.name).toBe('beta');
  });
});
