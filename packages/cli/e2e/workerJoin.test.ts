import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkerInfo } from '@nexa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, nexa } from './harness.js';
import { servedHome } from './servedHome.js';

/**
 * A worker on a box somewhere joins with a short-lived join token, gets a
 * credential of its own and keeps it; it may be nothing but what that
 * credential allows, and `nexa workers revoke` cuts it off at once.
 */

const home = servedHome();
const daemons: Daemon[] = [];

/** `nexa worker` with no token of its own: only what the join token or its data dir give it. */
function worker(name: string, dataDir: string, extra: string[] = [], env: Record<string, string> = {}) {
  const daemon = new Daemon(
    home,
    [
      'worker',
      '--name',
      name,
      '--data-dir',
      dataDir,
      '--allow-unsandboxed',
      '--shutdown-timeout',
      '0s',
      ...extra,
    ],
    env,
  );
  daemons.push(daemon);
  return daemon;
}

async function joinToken(args: string[]): Promise<string> {
  const made = await nexa(home, ['token', 'create', '--role', 'worker', '--join', ...args, '--json']);
  expect(made.exitCode, made.stderr).toBe(0);
  const file = join(home.dir, `join-${daemons.length}-${Date.now()}.token`);
  await writeFile(file, (JSON.parse(made.stdout) as { token: string }).token, { mode: 0o600 });
  return file;
}

async function workers(): Promise<WorkerInfo[]> {
  const listed = await nexa(home, ['workers', 'list', '--json']);
  expect(listed.exitCode, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as WorkerInfo[];
}

/** The stderr lines a failed command printed (an error is one line). */
const lines = (text: string) => text.trim().split('\n').filter(Boolean);

beforeAll(async () => {
  const saved = JSON.parse(await readFile(join(home.dir, 'config', 'nexa', 'credentials.json'), 'utf8'));
  home.env.NEXA_SERVER = Object.keys(saved.servers)[0] as string;
  for (const project of ['a', 'b'])
    expect((await nexa(home, ['projects', 'create', project])).exitCode).toBe(0);
}, 60_000);
afterAll(async () => {
  await Promise.all(daemons.map((daemon) => daemon.stop('SIGKILL')));
});

describe('a worker joining with a join token', () => {
  it('joins once, keeps its credential, serves only its project, and is cut off by nexa workers revoke', async () => {
    const joinFile = await joinToken([
      '--uses',
      '1',
      '--ttl',
      '1h',
      '--labels',
      'gpu=a100',
      '--project',
      'a',
    ]);
    const dataDir = join(home.dir, 'box-1');
    const first = worker('box-1', dataDir, ['--labels', 'gpu=a100', '--join-token-file', joinFile]);
    await first.waitFor(/connected to/);
    expect(first.log).toContain('joined');
    const credential = await stat(join(dataDir, 'credential.json'));
    expect(credential.mode & 0o777).toBe(0o600);
    const kept = JSON.parse(await readFile(join(dataDir, 'credential.json'), 'utf8')) as { token: string };
    expect(first.log).not.toContain(kept.token);

    // Restarted, it connects with the credential it kept: without the join token, or with it (used up by
    // now, so a second join would be refused).
    expect(await first.stop()).toBe(0);
    const plain = worker('box-1', dataDir, ['--labels', 'gpu=a100']);
    await plain.waitFor(/connected to/);
    expect(plain.log).not.toContain('joined');
    expect(await plain.stop()).toBe(0);
    const again = worker('box-1', dataDir, ['--labels', 'gpu=a100', '--join-token-file', joinFile]);
    await again.waitFor(/connected to/);
    expect(again.log).toContain('the join token is not needed any more');
    expect((await workers()).find((w) => w.name === 'box-1')).toMatchObject({
      status: 'online',
      projects: ['a'],
    });

    // The join token made its one worker: a second is refused with one line.
    const second = await nexa(home, [
      'worker',
      '--name',
      'box-2',
      '--data-dir',
      join(home.dir, 'box-2'),
      '--allow-unsandboxed',
      '--join-token-file',
      joinFile,
    ]);
    expect(second.exitCode).toBe(125);
    expect(lines(second.stderr)).toEqual([
      expect.stringContaining('the join token has been used up (1 of 1'),
    ]);

    // A task of project a runs on it; one of b waits, saying why.
    const ofA = await nexa(home, ['run', '--project', 'a', '--sandbox', 'process', '--', 'echo', 'from-a']);
    expect(ofA.exitCode, ofA.stderr).toBe(0);
    expect(ofA.stdout).toContain('from-a');
    const ofB = await nexa(home, [
      'run',
      '--project',
      'b',
      '--sandbox',
      'process',
      '--detach',
      '--json',
      '--',
      'echo',
      'b',
    ]);
    expect(ofB.exitCode, ofB.stderr).toBe(0);
    const taskB = JSON.parse(ofB.stdout.trim().split('\n').at(-1) ?? '{}') as {
      taskId?: string;
      id?: string;
    };
    const idB = taskB.taskId ?? taskB.id ?? '';
    const shownB = JSON.parse((await nexa(home, ['tasks', 'show', idB, '--json'])).stdout) as {
      status: string;
      waitingFor: string | null;
    };
    expect(shownB).toMatchObject({ status: 'queued', waitingFor: 'no connected worker serves project b' });

    // Revoked: disconnected at once, and the worker exits with one line.
    const revoked = await nexa(home, ['workers', 'revoke', 'box-1']);
    expect(revoked.exitCode, revoked.stderr).toBe(0);
    const returnedAt = performance.now();
    const exited = await again.child;
    const exitMs = performance.now() - returnedAt;
    console.log(`revoke: the worker exited ${exitMs.toFixed(0)} ms after nexa workers revoke returned`);
    expect((await workers()).find((w) => w.name === 'box-1')?.status).toBe('offline');
    expect(exited.exitCode).toBe(125);
    expect(exitMs).toBeLessThan(1000);
    expect(lines(again.log).at(-1)).toBe(
      "nexa: this worker's credential was revoked: join again with a new join token",
    );

    // Its credential is refused from then on.
    const afterwards = await nexa(home, [
      'worker',
      '--name',
      'box-1',
      '--data-dir',
      dataDir,
      '--allow-unsandboxed',
    ]);
    expect(afterwards.exitCode).toBe(125);
    expect(lines(afterwards.stderr).at(-1)).toBe(
      "nexa: this worker's credential was revoked: join again with a new join token",
    );
  }, 90_000);

  it('refuses a worker claiming a label its join token does not allow, and a join token past its time', async () => {
    const shortLived = await joinToken(['--ttl', '1']);
    const expiresAt = Date.now() + 1000;
    const joinFile = await joinToken(['--uses', '2', '--labels', 'gpu=a100']);
    const refused = await nexa(home, [
      'worker',
      '--name',
      'box-3',
      '--data-dir',
      join(home.dir, 'box-3'),
      '--allow-unsandboxed',
      '--labels',
      'gpu=h100',
      '--join-token-file',
      joinFile,
    ]);
    expect(refused.exitCode).toBe(125);
    expect(lines(refused.stderr).at(-1)).toContain(
      "label gpu=h100 is not allowed by this worker's credential (allowed: gpu=a100)",
    );

    // A token's expiry has one-second steps: past it by more than one, it is refused whatever the rounding.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt + 1100 - Date.now())));
    const late = await nexa(home, [
      'worker',
      '--name',
      'box-4',
      '--data-dir',
      join(home.dir, 'box-4'),
      '--allow-unsandboxed',
      '--join-token-file',
      shortLived,
    ]);
    expect(late.exitCode).toBe(125);
    expect(lines(late.stderr)).toEqual([
      expect.stringMatching(/refused to let this worker join: the token has expired/),
    ]);
  }, 60_000);
});
