import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from './cluster.js';
import { nexa, resultTaskId } from './harness.js';

/** bubblewrap works here? In CI it must (.ci/run installs it); elsewhere these tests may skip, saying why. */
function bwrapWorks(): true | string {
  const result = spawnSync('bwrap', ['--die-with-parent', '--unshare-all', '--ro-bind', '/', '/', 'true']);
  if (result.error) return 'bubblewrap is not installed';
  return result.status === 0 ? true : 'bubblewrap cannot create namespaces here';
}
const bwrap = bwrapWorks();

/** A Docker engine with the test image (scripts/testImage.sh builds it)? Same rule as bubblewrap. */
function dockerWorks(): true | string {
  if (spawnSync('docker', ['info']).status !== 0) return 'no Docker engine answers';
  const built = spawnSync('sh', [new URL('../../../scripts/testImage.sh', import.meta.url).pathname]);
  return built.status === 0 ? true : `the test image could not be built: ${String(built.stderr)}`;
}
const docker = dockerWorks();
if (docker !== true) {
  if (process.env.CI) throw new Error(`CI must run the docker tests: ${docker}`);
  console.warn(`skipping the docker e2e tests: ${docker}`);
}
if (bwrap !== true) {
  if (process.env.CI) throw new Error(`CI must run the sandbox tests: ${bwrap}`);
  console.warn(`skipping the sandbox e2e tests: ${bwrap}`);
}

let cluster: Cluster;
beforeAll(async () => {
  if (bwrap !== true) return;
  cluster = await startCluster();
  // A worker that offers walls only: bubblewrap here (no --image, so no docker; no --allow-unsandboxed).
  await cluster.worker('walled', ['--walled-only']);
});
afterAll(() => cluster?.stop());

describe.skipIf(bwrap !== true)('sandboxes through nexa run', () => {
  it('runs a task in bubblewrap by default: its working copy at /work, no network, not root', async () => {
    const result = await nexa(cluster.home, [
      'run',
      '--',
      'sh',
      '-c',
      'echo "$(pwd) $HOME $(id -u)"; touch /etc/x 2>/dev/null || echo "system read-only"; (exec 3<>/dev/tcp/1.1.1.1/80) 2>/dev/null || echo "no network"',
    ]);
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: '/work /work 65534\nsystem read-only\nno network\n',
    });
  });

  it('passes 100,000 lines, stderr and the exit code through the sandbox exactly', async () => {
    const result = await nexa(cluster.home, [
      'run',
      '--',
      'sh',
      '-c',
      'for i in $(seq 1 100000); do echo "line $i"; done; echo oops >&2; exit 3',
    ]);
    expect(result.exitCode).toBe(3);
    expect(
      result.stdout === `${Array.from({ length: 100_000 }, (_, i) => `line ${i + 1}`).join('\n')}\n`,
    ).toBe(true);
    expect(result.stderr).toBe('oops\n');
  });

  it('ends a task over its --memory limit with reason oom', async () => {
    const result = await nexa(cluster.home, [
      'run',
      '--memory',
      '32m',
      '--',
      'sh',
      '-c',
      'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo allocated',
    ]);
    expect(result.exitCode).toBe(137);
    expect(result.stdout).toBe('');
    // The task's shell may say "Killed" about the child the kernel picked first; Nexa's word is last.
    expect(result.stderr).toMatch(/(^|\n)nexa: oom\n$/);
  });

  it('keeps a task that asks for docker queued while only bubblewrap workers are connected, and says why', async () => {
    const detached = await nexa(cluster.home, ['run', '--detach', '--sandbox', 'docker', '--', 'true']);
    const id = detached.stdout.trim();
    const show = await nexa(cluster.home, ['tasks', 'show', id]);
    expect(show.stdout).toMatch(/Status:\s+queued/);
    expect(show.stdout).toMatch(/Waiting for:\s+no connected worker offers the docker sandbox/);
    const workers = JSON.parse((await nexa(cluster.home, ['workers', 'list', '--json'])).stdout) as {
      sandboxes: string[];
    }[];
    expect(workers[0]?.sandboxes).toEqual(['bwrap']);
    await nexa(cluster.home, ['cancel', id]);
  });

  it('lets a walled task commit to its copy of a repository; the branch comes back', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'nexa-walled-repo-'));
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'notes.txt'), 'one\n');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'base');
    const result = await nexa(cluster.home, [
      'run',
      '--json',
      '--repo',
      repo,
      '--',
      'sh',
      '-c',
      'echo two >> notes.txt && git -c user.name=nexa -c user.email=nexa@example.com commit -qam walled && git log --format=%s | head -1',
    ]);
    expect(result.exitCode).toBe(0);
    const taskId = resultTaskId(result);
    expect(git('show', `nexa/${taskId}:notes.txt`)).toBe('one\ntwo\n');
  });

  it('takes its sandboxed processes with it when the worker dies', async () => {
    const doomed = await cluster.worker('doomed', ['--walled-only', '--labels', 'doomed=1']);
    const marker = 'sleep 739.3';
    const detached = await nexa(cluster.home, [
      'run',
      '--detach',
      '--label',
      'doomed=1',
      '--',
      'sh',
      '-c',
      `echo up; ${marker}`,
    ]);
    const id = detached.stdout.trim();
    await cluster.observer.waitForEvent(id, (e) => e.kind === 'output' && e.data.includes('up'));
    const alive = () => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes(marker);
    expect(alive()).toBe(true);
    doomed.signal('SIGKILL');
    const deadline = Date.now() + 5000;
    while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive()).toBe(false);
    await nexa(cluster.home, ['cancel', id]);
  });

  it('refuses to run a plain process on a worker not started with --allow-unsandboxed', async () => {
    const detached = await nexa(cluster.home, ['run', '--detach', '--sandbox', 'process', '--', 'true']);
    const id = detached.stdout.trim();
    const task = await cluster.observer.task(id);
    expect(task).toMatchObject({
      status: 'queued',
      waitingFor: 'no connected worker allows the process sandbox (start one with --allow-unsandboxed)',
    });
    await nexa(cluster.home, ['cancel', id]);
  });
});

describe.skipIf(docker !== true)('the docker sandbox through nexa run', () => {
  let withDocker: Cluster;
  beforeAll(async () => {
    withDocker = await startCluster();
    await withDocker.worker('containers', ['--walled-only', '--image', 'nexa-test:busybox']);
  });
  afterAll(() => withDocker?.stop());

  it('prefers docker when the worker has an image: /work, not root, no network, read-only system', async () => {
    const result = await nexa(withDocker.home, [
      'run',
      '--',
      'sh',
      '-c',
      'echo "$(pwd) $HOME $(id -u)"; touch /etc/x 2>/dev/null || echo "system read-only"; wget -T 2 -q -O- http://1.1.1.1/ 2>/dev/null || echo "no network"',
    ]);
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: '/work /work 65534\nsystem read-only\nno network\n',
    });
    const task = JSON.parse(
      (await nexa(withDocker.home, ['tasks', 'list', '--json', '--limit', '1'])).stdout,
    )[0];
    const workers = JSON.parse((await nexa(withDocker.home, ['workers', 'list', '--json'])).stdout);
    expect(workers[0].sandboxes).toEqual(['docker', 'bwrap']);
    expect(task.sandbox).toBeNull(); // the worker chose: docker, its best
  });

  it('ends a task over its --memory limit with reason oom, not a bare 137', async () => {
    const result = await nexa(withDocker.home, [
      'run',
      '--sandbox',
      'docker',
      '--memory',
      '32m',
      '--',
      'sh',
      '-c',
      'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo allocated',
    ]);
    expect(result).toMatchObject({ exitCode: 137, stdout: '' });
    // The task's shell may say "Killed" about the child the kernel picked first; Nexa's word is last.
    expect(result.stderr).toMatch(/(^|\n)nexa: oom\n$/);
  });
});
