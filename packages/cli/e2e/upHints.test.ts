import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, type Home, makeHome, nexa } from './harness.js';

let home: Home;
beforeAll(async () => {
  home = await makeHome();
});
afterAll(() => home.cleanup());

describe('what nexa up prints', () => {
  it('hints that reach the server it started, not the one an older credentials file names', async () => {
    // A credentials file from an earlier `nexa up` on another port (nothing listens there now).
    await mkdir(join(home.dir, 'config', 'nexa'), { recursive: true });
    await writeFile(
      join(home.dir, 'config', 'nexa', 'credentials.json'),
      JSON.stringify({
        defaultServer: 'http://127.0.0.1:9',
        servers: { 'http://127.0.0.1:9': { token: 'old' } },
      }),
    );
    const up = new Daemon(home, [
      'up',
      '--port',
      '0',
      '--allow-unsandboxed',
      '--data-dir',
      join(home.dir, 'up-data'),
    ]);
    await up.waitFor(/Press Ctrl-C/);
    const [, hint] = up.log.match(/see tasks: +(.+)/) as [string, string];
    // Run as printed, by a shell, with only the user's files to go on.
    const listed = await execa('sh', ['-c', hint], { env: { ...home.env }, reject: false });
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stderr).toBe('');
    expect(await up.stop('SIGINT')).toBe(0);
  });

  it('does not advertise an agent its worker cannot run, and says why', async () => {
    const bin = join(home.dir, 'fake-bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'claude'), '#!/bin/sh\necho "Not logged in" >&2; exit 1\n', { mode: 0o755 });
    const up = new Daemon(
      home,
      ['up', '--port', '0', '--allow-unsandboxed', '--data-dir', join(home.dir, 'up-data-2')],
      { PATH: `${bin}:${process.env.PATH}`, ANTHROPIC_API_KEY: '', ANTHROPIC_AUTH_TOKEN: '' },
    );
    await up.waitFor(/Press Ctrl-C/);
    const text = (await nexa(home, ['workers', 'list'])).stdout;
    expect(text).toMatch(/local: claude unavailable: no ANTHROPIC_API_KEY .* passed; see --pass-env/);
    const [worker] = JSON.parse((await nexa(home, ['workers', 'list', '--json'])).stdout) as {
      agents: string[];
      unavailableAgents: { agent: string; reason: string }[];
    }[];
    expect(worker?.agents).not.toContain('claude');
    expect(worker?.unavailableAgents.map((u) => u.agent)).toContain('claude');

    const run = await nexa(home, ['run', 'fix it', '--agent', 'claude', '--sandbox', 'process', '--detach']);
    const taskId = run.stdout.trim();
    const shown = JSON.parse((await nexa(home, ['tasks', 'show', taskId, '--json'])).stdout) as {
      status: string;
      waitingFor: string;
    };
    expect(shown).toMatchObject({ status: 'queued' });
    expect(shown.waitingFor).toMatch(
      /^worker local cannot run claude: no ANTHROPIC_API_KEY .*see --pass-env$/,
    );
    await nexa(home, ['cancel', taskId]);
    expect(await up.stop('SIGINT')).toBe(0);
  });
});
