import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, type Home, makeHome, nexa } from './harness.js';

let home: Home;
beforeAll(async () => {
  home = await makeHome();
});
afterAll(() => home.cleanup());

describe('nexa up', () => {
  it('runs a coordinator and a local worker, takes tasks with no setup, and stops on Ctrl-C', async () => {
    const up = new Daemon(home, [
      'up',
      '--port',
      '0',
      '--allow-unsandboxed',
      '--data-dir',
      join(home.dir, 'up-data'),
    ]);
    const [, url] = (await up.waitFor(/Nexa is up at (http:\/\/\S+)[\s\S]*Press Ctrl-C/)) as [string, string];
    expect(up.log).toContain('nexa run -- echo hello');

    // No --server and no --token: the credentials file written on first start is enough.
    const run = await nexa(home, ['run', '--sandbox', 'process', '--', 'echo', 'hello']);
    expect(run).toMatchObject({ exitCode: 0, stdout: 'hello\n' });

    const workers = JSON.parse((await nexa(home, ['workers', 'list', '--json'])).stdout) as {
      name: string;
      status: string;
    }[];
    expect(workers).toEqual([expect.objectContaining({ name: 'local', status: 'online' })]);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });

    expect(await up.stop('SIGINT')).toBe(0);
    expect(up.log).toContain('stopping');
  });
});
