import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Home, makeHome, nexa, resultTaskId, startServer, startWorker, workerToken } from './harness.js';

let home: Home;
beforeAll(async () => {
  home = await makeHome();
});
afterAll(() => home.cleanup());

describe('a coordinator restart', () => {
  it('keeps earlier tasks and their logs', async () => {
    const first = await startServer(home);
    const worker = await startWorker(home, first.url, await workerToken(home, first.url), ['--name', 'w']);
    const run = await nexa(home, [
      'run',
      '--sandbox',
      'process',
      '--json',
      '--server',
      first.url,
      '--',
      'sh',
      '-c',
      'seq 1 1000; echo bye >&2; exit 7',
    ]);
    expect(run.exitCode).toBe(7);
    const taskId = resultTaskId(run);
    await worker.stop();
    expect(await first.daemon.stop('SIGTERM')).toBe(0);

    const second = await startServer(home);
    try {
      const list = await nexa(home, ['tasks', 'list', '--json', '--server', second.url]);
      const task = (JSON.parse(list.stdout) as { id: string; status: string; exitCode: number }[]).find(
        (t) => t.id === taskId,
      );
      expect(task).toMatchObject({ status: 'failed', exitCode: 7 });
      const logs = await nexa(home, ['logs', taskId, '--server', second.url]);
      expect(logs.stdout).toBe(`${Array.from({ length: 1000 }, (_, i) => i + 1).join('\n')}\n`);
      expect(logs.stderr).toBe('bye\n');
    } finally {
      await second.daemon.stop();
    }
  });
});
