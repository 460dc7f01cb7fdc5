import { execFileSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEST_IMAGE, dockerSandbox, SANDBOX_LABEL } from './docker.js';
import type { ExitInfo, SpawnRequest } from './sandbox.js';

const testImageScript = fileURLToPath(new URL('../../../../scripts/testImage.sh', import.meta.url));
const docker = new Docker();

/** Why Docker cannot be used here, or undefined when it can (checked once, before the suite is defined). */
function dockerUnavailable(): string | undefined {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 });
    return undefined;
  } catch (error) {
    return `docker engine not reachable (${(error as Error).message.split('\n')[0]})`;
  }
}

const unavailable = dockerUnavailable();
if (unavailable && process.env.CI) {
  // In CI a missing engine is a broken runner, not a reason to pass quietly.
  describe('docker sandbox', () => {
    it('needs a Docker engine in CI', () => {
      expect.fail(unavailable);
    });
  });
} else if (unavailable) {
  console.warn(`skipping docker sandbox tests: ${unavailable}`);
}

async function collect(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
}

interface Finished extends ExitInfo {
  stdout: string;
  stderr: string;
}

describe.skipIf(unavailable !== undefined)('docker sandbox', () => {
  const sandbox = dockerSandbox({ defaultImage: DEFAULT_TEST_IMAGE });
  let workdirs: string[] = [];

  beforeAll(() => {
    execFileSync('sh', [testImageScript], { stdio: 'inherit' });
  }, 120_000);

  afterEach(() => {
    for (const dir of workdirs) rmSync(dir, { recursive: true, force: true });
    workdirs = [];
  });

  afterAll(async () => {
    const leftovers = await docker.listContainers({ all: true, filters: { label: [SANDBOX_LABEL] } });
    await Promise.all(leftovers.map((info) => docker.getContainer(info.Id).remove({ force: true })));
  });

  function freshWorkdir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'nexa-docker-'));
    workdirs.push(dir);
    return dir;
  }

  function request(script: string, overrides: Partial<SpawnRequest> = {}): SpawnRequest {
    return {
      argv: ['sh', '-c', script],
      workdir: freshWorkdir(),
      env: { PATH: '/bin', HOME: '/host/home/should/not/leak' },
      network: { mode: 'none' },
      limits: {},
      ...overrides,
    };
  }

  async function run(spawnRequest: SpawnRequest): Promise<Finished> {
    const child = sandbox.spawn(spawnRequest);
    const [exit, stdout, stderr] = await Promise.all([
      child.wait(),
      collect(child.stdout),
      collect(child.stderr),
    ]);
    return { ...exit, stdout, stderr };
  }

  it('probes true when the engine and the default image are there', async () => {
    await expect(sandbox.probe()).resolves.toBe(true);
  });

  it('probes a reason when the default image is missing', async () => {
    const missing = dockerSandbox({ defaultImage: 'nexa-test:does-not-exist' });
    await expect(missing.probe()).resolves.toBe('docker image nexa-test:does-not-exist not found');
  });

  it('delivers stdout and stderr byte-exact and in order, and the exit code', async () => {
    const result = await run(
      request('for i in $(seq 1 100000); do echo "line $i"; done; echo oops >&2; exit 3'),
    );
    const expected = Array.from({ length: 100_000 }, (_, i) => `line ${i + 1}\n`).join('');
    expect(result.exitCode).toBe(3);
    expect(result.reason).toBeUndefined();
    expect(result.stderr).toBe('oops\n');
    expect(result.stdout.length).toBe(expected.length);
    expect(result.stdout === expected).toBe(true);
  }, 60_000);

  it('runs as a non-root user with HOME at the working copy', async () => {
    const result = await run(request('id -u; echo "$HOME"; pwd'));
    const [uid, home, cwd] = result.stdout.trim().split('\n');
    expect(result.exitCode).toBe(0);
    expect(uid).not.toBe('0');
    expect(home).toBe('/work');
    expect(cwd).toBe('/work');
  });

  it('runs as the owner of the working copy when that is not root', async () => {
    const spawnRequest = request('id -u; touch mine && stat -c %u mine');
    chownSync(spawnRequest.workdir, 1234, 1234);
    const result = await run(spawnRequest);
    expect(result.stdout).toBe('1234\n1234\n');
  });

  it('lends a root-owned copy to the task and back without ever chowning what a symlink in it points to', async () => {
    const hostDir = freshWorkdir();
    const hostFile = join(hostDir, 'host-file');
    writeFileSync(hostFile, 'host');
    chownSync(hostFile, 4321, 4321);
    chownSync(hostDir, 4321, 4321);
    const spawnRequest = request(`ln -s ${hostFile} planted-file && ln -s ${hostDir} planted-dir && id -u`);
    chownSync(spawnRequest.workdir, 0, 0);
    symlinkSync(hostFile, join(spawnRequest.workdir, 'left-file'));
    symlinkSync(hostDir, join(spawnRequest.workdir, 'left-dir'));
    const first = await run(spawnRequest);
    expect(first.stdout).toBe('65534\n');
    await run({ ...spawnRequest, argv: ['true'] }); // lent and returned again, now with the task's links
    for (const path of [hostFile, hostDir]) expect(statSync(path).uid).toBe(4321);
    expect(lstatSync(join(spawnRequest.workdir, 'planted-file')).uid).toBe(0); // the links themselves came back
  });

  it('has no network unless asked', async () => {
    const result = await run(
      request(
        'wget -T 2 -q -O- http://127.0.0.1:1 && echo loopback-reached; ' +
          'wget -T 2 -q -O- http://1.1.1.1 && echo internet-reached; ' +
          'ls /sys/class/net',
      ),
    );
    expect(result.stdout).not.toContain('reached');
    // Only the loopback interface exists: there is no route anywhere.
    expect(result.stdout.trim()).toBe('lo');
  });

  it('has a network interface when asked', async () => {
    // Only looks at the interfaces; sends nothing anywhere.
    const result = await run(request('ls /sys/class/net', { network: { mode: 'open' } }));
    expect(result.stdout.trim().split('\n')).toContain('eth0');
  });

  it('writes only to the working copy and /tmp', async () => {
    const spawnRequest = request(
      'touch /etc/x || echo etc-refused; touch /x || echo root-refused; ' +
        'echo hello > /work/out.txt && echo work-ok; touch /tmp/y && echo tmp-ok; ' +
        'ls /root || echo root-unreadable; ' +
        // Not just file modes (nobody could not write /etc anyway): the root filesystem itself is read-only.
        'awk \'$2 == "/" { split($4, o, ","); print o[1] }\' /proc/mounts',
    );
    const result = await run(spawnRequest);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual(['etc-refused', 'root-refused', 'work-ok', 'tmp-ok', 'root-unreadable', 'ro']);
    expect(readFileSync(join(spawnRequest.workdir, 'out.txt'), 'utf8')).toBe('hello\n');
  });

  it('lets the task edit files already in a root-owned working copy, then gives it back to root', async ({
    skip,
  }) => {
    if (process.getuid?.() !== 0) return skip(); // only a root worker lends its working copy
    const spawnRequest = request('echo more >> existing.txt && echo edited');
    writeFileSync(join(spawnRequest.workdir, 'existing.txt'), 'start\n');
    const result = await run(spawnRequest);
    expect(result.stdout).toBe('edited\n');
    expect(readFileSync(join(spawnRequest.workdir, 'existing.txt'), 'utf8')).toBe('start\nmore\n');
    expect(statSync(join(spawnRequest.workdir, 'existing.txt')).uid).toBe(0);
    expect(statSync(spawnRequest.workdir).uid).toBe(0);
  });

  it('stops a fork bomb at the pids limit, and the engine carries on', async () => {
    // A subshell forks until the kernel refuses (ash gives up at the first failed fork); then,
    // with builtins only, the count of processes left in the container. Deterministic where a
    // self-limiting `b | b &` bomb is not: that one can die out before anything is counted.
    const script = '(while :; do sleep 30 & done) 2>/dev/null; set -- /proc/[0-9]*; echo "held $#"';
    const result = await run(request(script, { limits: { pids: 64 } }));
    const held = Number(/held (\d+)/.exec(result.stdout)?.[1]);
    // The limit, less the subshell that gave up (with a limit of 200 this prints 199).
    expect(held).toBeGreaterThanOrEqual(56);
    expect(held).toBeLessThanOrEqual(64);
    await expect(sandbox.probe()).resolves.toBe(true);
  }, 60_000);

  it('reports oom when the memory limit kills the task', async () => {
    const result = await run(
      request('x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo done', {
        limits: { memoryBytes: 32 * 1024 * 1024 },
      }),
    );
    expect(result).toMatchObject({ exitCode: 137, reason: 'oom' });
    expect(result.stdout).not.toContain('done');
  }, 60_000);

  it('ends a sleeping task at once on SIGKILL', async () => {
    const child = sandbox.spawn(request('echo started; sleep 60'));
    const output = collect(child.stdout);
    // Kill once it has really started, signalled by its first line of output.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const killedAt = Date.now();
    child.kill('SIGKILL');
    const exit = await child.wait();
    expect(exit).toEqual({ exitCode: 137, reason: 'killed by SIGKILL' });
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(await output).toBe('started\n');
  });

  it('delivers SIGTERM to the task, not to an init that ignores it', async () => {
    const child = sandbox.spawn(request('echo started; sleep 60'));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.resume();
    child.stderr.resume();
    child.kill('SIGTERM');
    await expect(child.wait()).resolves.toEqual({ exitCode: 143, reason: 'killed by SIGTERM' });
  });

  it('signals everything the task started, not only its first process', async () => {
    // The shell handles SIGTERM only once its foreground sleep ends, so a quick end shows the sleep got it too.
    const child = sandbox.spawn(
      request('trap "echo trapped" TERM; echo started; sleep 60; echo "sleep ended $?"'),
    );
    const output = collect(child.stdout);
    child.stderr.resume();
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGTERM');
    await expect(child.wait()).resolves.toEqual({ exitCode: 0 });
    expect(await output).toBe('started\ntrapped\nsleep ended 143\n');
  });

  it('never starts a task killed before its container exists', async () => {
    const spawnRequest = request('touch started');
    const child = sandbox.spawn(spawnRequest);
    child.kill('SIGKILL');
    child.stdout.resume();
    child.stderr.resume();
    await expect(child.wait()).resolves.toEqual({ exitCode: 137, reason: 'killed by SIGKILL' });
    expect(existsSync(join(spawnRequest.workdir, 'started'))).toBe(false);
  });

  it('gives exit 125 and a reason when the image is missing', async () => {
    const result = await run(request('true', { image: 'nexa-test:does-not-exist' }));
    expect(result).toMatchObject({
      exitCode: 125,
      reason:
        'docker image nexa-test:does-not-exist is not available on this worker; build or pull it, or pass --image',
    });
  });

  it('removes its containers once they have ended', async () => {
    await run(request('true'));
    const leftovers = await docker.listContainers({ all: true, filters: { label: [SANDBOX_LABEL] } });
    expect(leftovers).toEqual([]);
  });
});
