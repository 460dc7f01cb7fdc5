import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { beforeAll, describe, expect, it } from 'vitest';
import { bwrapArgs, bwrapSandbox } from './bwrap.js';
import { ProcessGroupLimits } from './cgroup.js';
import type { SandboxLimits, SpawnRequest } from './sandbox.js';

const sandbox = bwrapSandbox();
let available: true | string = 'not probed';
let limitsAvailable: true | string = 'not probed';

beforeAll(async () => {
  available = await sandbox.probe();
  limitsAvailable = ProcessGroupLimits.available();
  if (available !== true && process.env.CI) throw new Error(`bubblewrap must work in CI: ${available}`);
});

/** Every command line on this machine that contains `needle` (as any user may read them in /proc). */
function commandLinesContaining(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const line = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (line.includes(needle)) found.push(`${pid}: ${line.replaceAll('\0', ' ')}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function request(secret: string, limits: SandboxLimits = {}): SpawnRequest {
  const workdir = mkdtempSync(join(tmpdir(), 'nexa-bwrap-env-'));
  return {
    // Says it started, then stays up long enough to be seen in /proc.
    argv: ['sh', '-c', 'echo started; env | sort; read -r _ || true'],
    workdir,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: workdir, LANG: 'C.UTF-8', API_TOKEN: secret },
    network: { mode: 'none' },
    limits,
    stdin: true,
  };
}

async function runAndScan(secret: string, limits: SandboxLimits = {}) {
  const child = sandbox.spawn(request(secret, limits));
  const stdout = text(child.stdout);
  const stderr = text(child.stderr);
  await new Promise<void>((resolve) => {
    child.stdout.once('data', () => resolve());
  });
  const leaks = commandLinesContaining(secret);
  child.stdin.end();
  const exit = await child.wait();
  return { leaks, stdout: await stdout, stderr: await stderr, exit };
}

describe('the bubblewrap sandbox’s environment', () => {
  it('never puts a value in a command line', () => {
    const args = bwrapArgs(request('argv-secret-value'));
    expect(args.join(' ')).not.toContain('argv-secret-value');
    expect(args).not.toContain('--setenv');
  });

  it('reaches the task exactly, and no process on the host shows it', async ({ skip }) => {
    if (available !== true) return skip();
    const secret = `s3cr3t-${randomBytes(8).toString('hex')}`;
    const { leaks, stdout, exit } = await runAndScan(secret);
    expect(exit.exitCode).toBe(0);
    expect(leaks).toEqual([]);
    const env = stdout.split('\n').slice(1).filter(Boolean);
    // The task's variables and what a shell adds itself (PWD, SHLVL), nothing of the worker's.
    expect(env.filter((line) => !/^(PWD|SHLVL|_)=/.test(line))).toEqual([
      `API_TOKEN=${secret}`,
      'HOME=/work',
      'LANG=C.UTF-8',
      'PATH=/usr/local/bin:/usr/bin:/bin',
    ]);
  });

  it('leaves the task no descriptor to the environment pipe', async ({ skip }) => {
    if (available !== true) return skip();
    const child = sandbox.spawn({
      ...request('fd-secret-value'),
      argv: ['sh', '-c', 'ls -l /proc/self/fd'],
      stdin: false,
    });
    const [stdout] = await Promise.all([text(child.stdout), child.wait()]);
    // The pipe is a socket like stdio; bwrap closes it once read, so only stdio's remain.
    const sockets = [...stdout.matchAll(/ (\d+) -> socket:/g)].map((match) => match[1]);
    expect(sockets).toEqual(['0', '1', '2']);
  });

  it('keeps values out of command lines when cgroup limits wrap the sandbox too', async ({ skip }) => {
    if (available !== true || limitsAvailable !== true) return skip();
    const secret = `s3cr3t-${randomBytes(8).toString('hex')}`;
    const { leaks, stdout, exit } = await runAndScan(secret, { pids: 64 });
    expect(exit.exitCode).toBe(0);
    expect(leaks).toEqual([]);
    expect(stdout).toContain(`API_TOKEN=${secret}\n`);
  });
});

describe('an environment value with a NUL in it', () => {
  // Split on its NUL, this value would go on as bwrap options of its own: the host's root, writable, at /host.
  const injected = 'x\0--bind\0/\0/host';

  it('is refused before anything starts, never read as bwrap options', () => {
    const req = { ...request('nul-secret-value'), env: { PATH: '/usr/bin:/bin', EVIL: injected } };
    expect(() => sandbox.spawn(req)).toThrow('the environment variable EVIL holds a NUL character');
  });
});
