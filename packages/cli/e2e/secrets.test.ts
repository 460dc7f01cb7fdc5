import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Daemon,
  type Home,
  makeHome,
  nexa,
  resultTaskId,
  startServer,
  startWorker,
  workerToken,
} from './harness.js';

let home: Home;
let server: Daemon;
let worker: Daemon;
let url: string;

beforeAll(async () => {
  home = await makeHome();
  ({ daemon: server, url } = await startServer(home));
  home.env.NEXA_SERVER = url;
  // The worker owner's key, passed on to coding agents: no task's log may show it.
  worker = await startWorker(home, url, await workerToken(home, url), ['--pass-env', 'OWNER_API_KEY'], {
    OWNER_API_KEY: 'owner-key-0123456789',
  });
});

afterAll(async () => {
  await worker?.stop();
  await server?.stop();
  await home?.cleanup();
});

describe('secrets in task output', () => {
  for (const sandbox of ['process', 'bwrap']) {
    it(`never stores a secret --env value, even split across two writes (${sandbox})`, async () => {
      const run = await nexa(home, [
        'run',
        '--sandbox',
        sandbox,
        '--json',
        '--env',
        'API_TOKEN=s3cr3tvalue',
        '--',
        'sh',
        '-c',
        'printf s3cr; sleep 0.3; printf "3tvalue\\n"; echo "$API_TOKEN" >&2',
      ]);
      expect(run.exitCode).toBe(0);
      const id = resultTaskId(run);
      const logs = await nexa(home, ['logs', id]);
      expect(logs.exitCode).toBe(0);
      expect(logs.stdout + logs.stderr).not.toContain('s3cr3tvalue');
      expect(logs.stdout).toContain('[redacted:API_TOKEN]');
      expect(run.stdout + run.stderr).not.toContain('s3cr3tvalue');
    });
  }

  it('never stores a value the worker passes on (--pass-env)', async () => {
    const run = await nexa(home, [
      'run',
      '--sandbox',
      'process',
      '--json',
      '--',
      'echo',
      'owner-key-0123456789',
    ]);
    expect(run.exitCode).toBe(0);
    const logs = await nexa(home, ['logs', resultTaskId(run)]);
    expect(logs.stdout).not.toContain('owner-key-0123456789');
    expect(logs.stdout).toContain('[redacted:OWNER_API_KEY]');
  });
});

describe('a worker’s own token', () => {
  it('comes from --token-file and never shows in its command line; --token warns', async () => {
    const token = await workerToken(home, url);
    const file = join(home.dir, 'worker.token');
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    const quiet = new Daemon(home, ['worker', '--server', url, '--token-file', file, '--name', 'from-file']);
    try {
      await quiet.waitFor(/connected to/);
      const cmdline = readFileSync(`/proc/${quiet.child.pid}/cmdline`, 'utf8');
      expect(cmdline).not.toContain(token);
      expect(quiet.log).not.toContain('warning');
    } finally {
      await quiet.stop();
    }
    const loud = new Daemon(home, ['worker', '--server', url, '--token', token, '--name', 'from-argv']);
    try {
      await loud.waitFor(/connected to/);
      expect(loud.log).toContain('warning: --token puts the token in the process list');
    } finally {
      await loud.stop();
    }
  });

  it('says in one line when --token-file cannot be read', async () => {
    const result = await nexa(home, ['worker', '--server', url, '--token-file', join(home.dir, 'nope')]);
    expect(result.exitCode).toBe(125);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`cannot read --token-file ${join(home.dir, 'nope')} (ENOENT)`);
  });
});

describe('nexa token list and revoke', () => {
  it('lists tokens without the token itself, and a revoked token is refused at once', async () => {
    const created = await nexa(home, [
      'token',
      'create',
      '--role',
      'viewer',
      '--project',
      'default',
      '--name',
      'ci-bot',
      '--json',
    ]);
    expect(created.exitCode).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    const asBot = { ...home, env: { ...home.env, NEXA_TOKEN: token } };
    expect((await nexa(asBot, ['tasks', 'list'])).exitCode).toBe(0);

    const listed = await nexa(home, ['token', 'list', '--json']);
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).not.toContain(token);
    const rows = JSON.parse(listed.stdout) as {
      id: string;
      subject: string;
      role: string;
      revokedAt: string | null;
    }[];
    const bot = rows.find((row) => row.subject === 'ci-bot');
    expect(bot).toMatchObject({ role: 'viewer', revokedAt: null });

    const table = await nexa(home, ['token', 'list']);
    expect(table.stdout).toMatch(/ID\s+ROLE\s+SUBJECT/);
    expect(table.stdout).toContain('ci-bot');

    const revoked = await nexa(home, ['token', 'revoke', bot?.id as string]);
    expect(revoked.exitCode).toBe(0);
    expect(revoked.stdout).toContain(`revoked ${bot?.id}`);
    const refused = await nexa(asBot, ['tasks', 'list']);
    expect(refused.exitCode).toBe(125);
    expect(refused.stderr).toContain('the token has been revoked');

    const missing = await nexa(home, ['token', 'revoke', 'no-such-token']);
    expect(missing.exitCode).toBe(125);
    expect(missing.stderr).toContain('no token no-such-token');
  });

  it('cuts off a connected worker as soon as its token is revoked', async () => {
    const created = await nexa(home, [
      'token',
      'create',
      '--role',
      'worker',
      '--name',
      'doomed-box',
      '--json',
    ]);
    const { token } = JSON.parse(created.stdout) as { token: string };
    const doomed = new Daemon(home, ['worker', '--server', url, '--name', 'doomed'], { NEXA_TOKEN: token });
    try {
      await doomed.waitFor(/connected to/);
      const rows = JSON.parse((await nexa(home, ['token', 'list', '--json'])).stdout) as {
        id: string;
        subject: string;
      }[];
      const id = rows.find((row) => row.subject === 'doomed-box')?.id as string;
      expect((await nexa(home, ['token', 'revoke', id])).exitCode).toBe(0);
      await doomed.waitFor(/refused the worker's token \(the token has been revoked\)/);
      // No retry can succeed: it stops, says what to do, and exits instead of knocking forever.
      const exit = await doomed.child;
      expect(exit.exitCode).toBe(125);
      expect(doomed.log).toContain('nexa token create --role worker');
      expect(doomed.log).not.toContain('registering again');
    } finally {
      await doomed.stop();
    }
  });
});
