import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bwrapSandbox } from '../sandbox/bwrap.js';
import type { RefusedConnection } from './proxy.js';
import { REFUSALS_REPORTED, startTaskEgress } from './taskEgress.js';

const sandbox = bwrapSandbox();
let available: true | string = 'not probed';
beforeAll(async () => {
  available = await sandbox.probe();
  if (available !== true && process.env.CI) throw new Error(`bubblewrap must work in CI: ${available}`);
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function site(name: string): Promise<number> {
  const server = createServer((_request, response) => response.end(`${name}-answer`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as { port: number }).port;
}

/** Runs `script` in bubblewrap under `allowlist` with `allowHosts`; what it printed, how it ended, what was refused. */
async function runAllowlisted(script: string, allowHosts: string[]) {
  const workdir = mkdtempSync(join(tmpdir(), 'nexa-egress-'));
  cleanups.push(() => rmSync(workdir, { recursive: true, force: true }));
  const refused: RefusedConnection[] = [];
  const egress = await startTaskEgress({
    workdir,
    workdirInSandbox: '/work',
    agent: 'shell',
    allowHosts,
    agentEnv: {},
    refused: (connection) => refused.push(connection),
  });
  if (typeof egress === 'string') throw new Error(egress);
  cleanups.push(() => egress.close());
  const child = sandbox.spawn({
    argv: ['sh', '-c', script],
    workdir,
    // A task's own NO_PROXY would send requests around the proxy (and past its log).
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: workdir, NO_PROXY: '*', no_proxy: '*' },
    network: egress.network,
    limits: {},
  });
  const [stdout, stderr, exit] = await Promise.all([text(child.stdout), text(child.stderr), child.wait()]);
  return { stdout, stderr, exitCode: exit.exitCode, refused };
}

describe('a task under allowlist in bubblewrap', () => {
  it('reaches allowed hosts through the proxy only, with the proxy variables set, and keeps its exit code', async ({
    skip,
  }) => {
    if (available !== true) return skip();
    const allowed = await site('allowed');
    const other = await site('other');
    const result = await runAllowlisted(
      [
        'echo "$http_proxy $HTTPS_PROXY $NO_PROXY"',
        `curl -sS --max-time 10 http://127.0.0.1:${allowed}/; echo`,
        `curl -sS --max-time 10 http://127.0.0.1:${other}/`,
        `curl -sS --noproxy '*' --max-time 5 http://127.0.0.1:${allowed}/ || echo "no way around"`,
        'exit 7',
      ].join('\n'),
      [`127.0.0.1:${allowed}`],
    );
    const [proxyLine = '', ...rest] = result.stdout.split('\n');
    expect(proxyLine).toMatch(/^http:\/\/127\.0\.0\.1:(\d+) http:\/\/127\.0\.0\.1:\1 $/);
    expect(rest.join('\n')).toMatch(
      new RegExp(
        `^allowed-answer\nnexa egress proxy: 127.0.0.1:${other} is not on the task's allowlist.*\nno way around\n$`,
      ),
    );
    expect(result.exitCode).toBe(7);
    expect(result.refused).toEqual([
      { host: '127.0.0.1', port: other, reason: expect.stringContaining(`127.0.0.1:${allowed}`) },
    ]);
  });

  it(`reports each refused host:port once, and at most ${REFUSALS_REPORTED} of them`, async ({ skip }) => {
    if (available !== true) return skip();
    const result = await runAllowlisted(
      [
        'for i in 1 2 3; do curl -s -o /dev/null http://127.0.0.1:1/; done',
        `for port in $(seq 2 ${REFUSALS_REPORTED + 10}); do curl -s -o /dev/null http://127.0.0.1:$port/; done`,
      ].join('\n'),
      [],
    );
    expect(result.refused).toHaveLength(REFUSALS_REPORTED);
    expect(result.refused.filter((r) => r.port === 1)).toHaveLength(1);
  });
});
