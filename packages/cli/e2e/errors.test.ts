import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, type Home, makeHome, nexa, startServer, startWorker } from './harness.js';

let home: Home;
beforeAll(async () => {
  home = await makeHome();
});
afterAll(() => home.cleanup());

/** A port nothing listens on: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const hasStackTrace = (text: string) => /\n\s+at .+\(.+:\d+:\d+\)/.test(text);

describe('failures a user can cause', () => {
  it('no server at the URL: exit 125 within 5 s, one line naming the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    // What it costs just to start nexa on this machine right now, so that only waiting counts.
    const startup = (await nexa(home, ['--version'])).durationMs;
    const result = await nexa(home, ['run', '--sandbox', 'process', '--server', url, '--', 'echo', 'hi']);
    expect(result.exitCode).toBe(125);
    expect(result.durationMs - startup).toBeLessThan(5000);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(url);
    expect(result.stderr).toContain('could not reach');
  });

  describe('with a running server', () => {
    let server: Daemon;
    let url: string;
    beforeAll(async () => {
      ({ daemon: server, url } = await startServer(home));
    });
    afterAll(() => server.stop());

    it('a bad token: exit 125, one line saying the token was refused', async () => {
      const result = await nexa(home, [
        'run',
        '--sandbox',
        'process',
        '--server',
        url,
        '--token',
        'not-a-token',
        '--',
        'echo',
        'hi',
      ]);
      expect(result.exitCode).toBe(125);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/refused the token/);
    });

    it('a worker with a bad token says so and exits 125', async () => {
      const result = await nexa(home, ['worker', '--server', url, '--token', 'nope', '--name', 'bad']);
      expect(result.exitCode).toBe(125);
      expect(result.stderr).toMatch(/refused the worker's token/);
      expect(hasStackTrace(result.stderr)).toBe(false);
    });

    it('a viewer token may list but not run', async () => {
      const created = await nexa(home, [
        'token',
        'create',
        '--role',
        'viewer',
        '--project',
        'default',
        '--json',
        '--server',
        url,
      ]);
      const { token } = JSON.parse(created.stdout) as { token: string };
      expect((await nexa(home, ['tasks', 'list', '--server', url, '--token', token])).exitCode).toBe(0);
      const run = await nexa(home, [
        'run',
        '--sandbox',
        'process',
        '--server',
        url,
        '--token',
        token,
        '--',
        'true',
      ]);
      expect(run.exitCode).toBe(125);
      expect(run.stderr).toMatch(/a viewer token may not call tasks.submit/);
    });

    it('a second worker with a connected name is refused with a hint', async () => {
      const token = JSON.parse(
        (await nexa(home, ['token', 'create', '--role', 'worker', '--json', '--server', url])).stdout,
      ).token as string;
      const first = await startWorker(home, url, token, ['--name', 'twin']);
      try {
        const second = await nexa(home, ['worker', '--server', url, '--token', token, '--name', 'twin']);
        expect(second.exitCode).toBe(125);
        expect(second.stderr).toMatch(
          /a worker named "twin" is already connected; give this one another name with --name\n$/,
        );
        expect(second.stderr).not.toMatch(/lost the connection/);
      } finally {
        await first.stop();
      }
    });

    it('a port already in use: one line saying so, no stack trace', async () => {
      const port = new URL(url).port;
      const result = await nexa(home, ['server', '--port', port, '--data-dir', join(home.dir, 'second')]);
      expect(result.exitCode).toBe(125);
      expect(result.stderr).toBe(
        `nexa: port ${port} on 127.0.0.1 is already in use; stop the other server or pass --port\n`,
      );
    });

    it('an unknown task id: one line saying so', async () => {
      const result = await nexa(home, ['tasks', 'show', 't-nope', '--server', url]);
      expect(result).toMatchObject({ exitCode: 125, stdout: '' });
      expect(result.stderr).toBe('nexa: no task t-nope; list tasks with `nexa tasks list`\n');
    });
  });

  it('a data directory that cannot be made: one line saying so', async () => {
    const result = await nexa(home, ['server', '--port', '0', '--data-dir', '/etc/passwd/nexa']);
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toBe(
      'nexa: cannot use /etc/passwd/nexa as the data directory (ENOTDIR); pass a writable directory with --data-dir or NEXA_DATA_DIR\n',
    );
  });

  it('an unknown flag: the usage error, no stack trace', async () => {
    const result = await nexa(home, ['run', '--sandbox', 'process', '--no-such-flag', '--', 'echo']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/Nonexistent flag: --no-such-flag/);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('nothing to run: says how to give a command', async () => {
    const result = await nexa(home, ['run']);
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toBe(
      'nexa: nothing to run; put the command after --, e.g. nexa run -- echo hello, or give a prompt and --agent claude|codex|acp\n',
    );
  });

  it('a coding agent without a prompt, or a policy file that is not one: one line each', async () => {
    const noPrompt = await nexa(home, ['run', '--agent', 'claude']);
    expect(noPrompt).toMatchObject({ exitCode: 125 });
    expect(noPrompt.stderr).toBe(
      'nexa: the claude agent needs a prompt; quote it: nexa run "fix the failing test" --agent claude\n',
    );
    const badPolicy = join(home.dir, 'policy.json');
    writeFileSync(badPolicy, JSON.stringify({ rules: [{ tool: 'Bash', decision: 'maybe' }] }));
    const policy = await nexa(home, ['run', '--policy', badPolicy, '--', 'true']);
    expect(policy.exitCode).toBe(125);
    expect(policy.stderr).toMatch(
      /^nexa: policy file .*policy\.json at rules\.0\.decision: .*allow.*; each rule has a decision/,
    );
    expect(policy.stderr.trim().split('\n')).toHaveLength(1);
  });
});
