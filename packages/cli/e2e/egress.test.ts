import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentRun, type ClaudeCluster, describeRun, startClaudeCluster } from './agents.js';
import { nexa, resultTaskId } from './harness.js';
import { eventsOf } from './taskEvents.js';
import { bwrapWorks, dockerWorks } from './walls.js';

/**
 * A task's way out under --network: an agent under `allowlist` reaches its
 * model and the hosts it was allowed, through the worker's proxy, and
 * nothing else (another loopback port of the host stands in for the
 * internet); each refusal is an `egress` event in nexa logs. `none` reaches
 * nothing at all. In bubblewrap (Claude Code) and in Docker (busybox wget).
 */

const docker = dockerWorks();
if ((!bwrapWorks || !docker) && process.env.CI) throw new Error('CI must run the egress tests in both walls');

/** A web server on the host's loopback that answers with its name and counts who reached it. */
interface Site {
  port: number;
  hits: number;
  server: Server;
}

async function site(name: string): Promise<Site> {
  const found: Site = { port: 0, hits: 0, server: createServer() };
  found.server.on('request', (_request, response) => {
    found.hits++;
    response.end(`${name}-answer\n`);
  });
  await new Promise<void>((resolve) => found.server.listen(0, '127.0.0.1', resolve));
  found.port = (found.server.address() as { port: number }).port;
  return found;
}

let cluster: ClaudeCluster;
let allowed: Site;
let internet: Site;
beforeAll(async () => {
  if (!bwrapWorks) return;
  allowed = await site('allowed');
  internet = await site('internet');
  cluster = await startClaudeCluster();
  await cluster.agentWorker('walled', ['--walled-only', ...(docker ? ['--image', 'nexa-test:busybox'] : [])]);
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  for (const { server } of [allowed, internet]) if (server) server.close();
});

const refusedHosts = async (taskId: string) =>
  (await eventsOf(cluster.home, taskId)).flatMap((event) =>
    event.kind === 'egress' ? [`${event.host}:${event.port}`] : [],
  );

describe.skipIf(!bwrapWorks)('network egress per task', () => {
  it.each([
    ['Claude Code', ['--agent', 'claude']],
    ['claude-agent-acp', ['--agent', 'acp', '--agent-cmd', 'claude-agent-acp']],
  ])(
    'lets %s in bubblewrap reach its model and an allowed host only; the refusal is an egress event',
    async (_name, agent) => {
      const before = internet.hits;
      const ran = await nexa(
        cluster.home,
        agentRun(
          [
            'fetch two pages (egress-7c1d)',
            `run: curl -sS --max-time 10 http://127.0.0.1:${allowed.port}/`,
            `run: curl -sS --max-time 10 http://127.0.0.1:${internet.port}/`,
            'say: fetched',
          ].join('\n'),
          {
            agent,
            sandbox: 'bwrap',
            flags: ['--approve', 'all', '--allow-host', `127.0.0.1:${allowed.port}`, '--json'],
          },
        ),
      );
      // Its model answered: through the proxy, the sandbox has no other way to the host.
      expect(ran.exitCode, describeRun(ran)).toBe(0);
      const taskId = resultTaskId(ran);
      const results = (await eventsOf(cluster.home, taskId)).flatMap((event) =>
        event.kind === 'tool_result' ? [event.output] : [],
      );
      expect(results).toEqual([
        expect.stringContaining('allowed-answer'),
        expect.stringContaining(`127.0.0.1:${internet.port} is not on the task's allowlist`),
      ]);
      expect(internet.hits).toBe(before);
      expect(await refusedHosts(taskId)).toEqual([`127.0.0.1:${internet.port}`]);

      const shown = await nexa(cluster.home, ['tasks', 'show', taskId]);
      expect(shown.stdout).toMatch(
        new RegExp(`Network:\\s+allowlist: its agent's provider, 127.0.0.1:${allowed.port}`),
      );
    },
    240_000,
  );

  it('does not let a task put a host on its allowlist by naming it as its provider (--env ANTHROPIC_BASE_URL)', async () => {
    const before = internet.hits;
    const ran = await nexa(
      cluster.home,
      agentRun('say: never heard (egress-provider)', {
        agent: ['--agent', 'claude'],
        sandbox: 'bwrap',
        flags: [
          '--env',
          `ANTHROPIC_BASE_URL=http://127.0.0.1:${internet.port}`,
          '--timeout',
          '60s',
          '--json',
        ],
      }),
    );
    expect(ran.exitCode, describeRun(ran)).not.toBe(0);
    expect(internet.hits).toBe(before);
    expect(await refusedHosts(resultTaskId(ran))).toContain(`127.0.0.1:${internet.port}`);
  }, 120_000);

  it('gives a --network none command in bubblewrap no way to either host', async () => {
    const before = allowed.hits + internet.hits;
    const ran = await nexa(cluster.home, [
      'run',
      '--sandbox',
      'bwrap',
      '--network',
      'none',
      '--',
      'sh',
      '-c',
      `for port in ${allowed.port} ${internet.port}; do curl -s --max-time 5 http://127.0.0.1:$port/ || echo "unreachable $port"; done`,
    ]);
    expect(ran.stdout).toBe(`unreachable ${allowed.port}\nunreachable ${internet.port}\n`);
    expect(allowed.hits + internet.hits).toBe(before);
  }, 60_000);

  it.skipIf(!docker)(
    'lets a Docker task reach an allowed host only, and a --network none one neither',
    async () => {
      // Busybox's own wget crashes (SIGSEGV) whenever http_proxy is set, so the request is made
      // by hand: a plain-HTTP proxy request to the port http_proxy names, and a direct one.
      // Busybox nc stops reading once its input ends, so the input stays open for the answer.
      const shell = [
        `viaProxy() { { printf 'GET http://127.0.0.1:%s/ HTTP/1.0\\r\\n\\r\\n' "$1"; sleep 3; } | nc -w 10 127.0.0.1 "\${http_proxy##*:}" || echo "no proxy for $1"; }`,
        `direct() { printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 127.0.0.1 "$1" || echo "no route to $1"; }`,
      ].join('\n');
      const before = allowed.hits + internet.hits;
      const ran = await nexa(cluster.home, [
        'run',
        '--sandbox',
        'docker',
        '--allow-host',
        `127.0.0.1:${allowed.port}`,
        '--json',
        '--',
        'sh',
        '-c',
        `${shell}\nviaProxy ${allowed.port}; viaProxy ${internet.port}; direct ${internet.port}`,
      ]);
      expect(ran.exitCode, describeRun(ran)).toBe(0);
      expect(ran.stdout).toContain('allowed-answer');
      expect(ran.stdout).toContain('403 Forbidden');
      expect(ran.stdout).toContain(`no route to ${internet.port}`);
      expect(ran.stdout).not.toContain('internet-answer');
      expect(allowed.hits + internet.hits).toBe(before + 1);
      expect(await refusedHosts(resultTaskId(ran))).toEqual([`127.0.0.1:${internet.port}`]);

      const sealed = await nexa(cluster.home, [
        'run',
        '--sandbox',
        'docker',
        '--network',
        'none',
        '--',
        'sh',
        '-c',
        `${shell}\ndirect ${allowed.port}; direct ${internet.port}; viaProxy ${allowed.port}`,
      ]);
      expect(sealed.stdout).toBe(
        `no route to ${allowed.port}\nno route to ${internet.port}\nno proxy for ${allowed.port}\n`,
      );
      expect(allowed.hits + internet.hits).toBe(before + 1);
    },
    120_000,
  );

  it('says the choices when --network has none, and refuses --allow-host beside another mode', async () => {
    const bare = await nexa(cluster.home, ['run', '--network']);
    expect(bare.exitCode).toBe(2); // as every flag oclif refuses
    expect(bare.stderr).toMatch(/none, allowlist, open/);
    const both = await nexa(cluster.home, [
      'run',
      '--network',
      'open',
      '--allow-host',
      'x.org',
      '--',
      'true',
    ]);
    expect(both.exitCode).toBe(125);
    expect(both.stderr.trim().split('\n')[0]).toContain(
      '--allow-host needs --network allowlist, not --network open',
    );
  }, 30_000);
});
