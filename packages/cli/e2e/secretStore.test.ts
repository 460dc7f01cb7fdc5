import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun } from './agents.js';
import { type Cluster, output, startCluster } from './cluster.js';
import { type CommandResult, nexa, nexaBin, resultTaskId } from './harness.js';
import { bwrapWorks, dockerWorks } from './walls.js';

/**
 * The secret store end to end: a value set on the coordinator from stdin
 * reaches a walled task's environment (bubblewrap, docker), never its log
 * (printed whole, or split across writes), and never any command line on
 * the worker's host while the task runs.
 */

const docker = dockerWorks();
if (process.env.CI && !(bwrapWorks && docker))
  throw new Error('CI must run the secret store in bwrap and docker');

const VALUE = `sk-e2e-${randomBytes(16).toString('hex')}`;
const VALUE_SHA256 = createHash('sha256').update(VALUE).digest('hex');

let cluster: Cluster;
beforeAll(async () => {
  if (!bwrapWorks) return;
  cluster = await startCluster();
  await cluster.worker('walled', ['--walled-only', ...(docker ? ['--image', 'nexa-test:busybox'] : [])]);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

/** `nexa secret set NAME` with `input` on its stdin, as `printf VALUE | nexa secret set NAME`. */
async function secretSet(name: string, input: string): Promise<CommandResult> {
  const result = await execa(process.execPath, [nexaBin, 'secret', 'set', name], {
    env: cluster.home.env,
    input,
    reject: false,
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr, durationMs: 0 };
}

/** Every command line on this machine, as /proc shows them to anyone. */
async function commandLines(): Promise<string[]> {
  const lines: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      lines.push((await readFile(`/proc/${entry}/cmdline`)).toString('utf8').replaceAll('\0', ' '));
    } catch {
      // It ended meanwhile.
    }
  }
  return lines;
}

// Prints the value's hash (the proof it arrived), the value whole, the value
// split across two writes, then waits while the test reads every command line.
const script = [
  'set -e',
  `printf '%s' "$API_KEY" | sha256sum`,
  'echo "whole: $API_KEY"',
  `printf 'split: %s' "\${API_KEY%????????}"`,
  'sleep 0.3',
  `printf '%s\\n' "\${API_KEY#"\${API_KEY%????????}"}"`,
  'echo scan-now',
  'sleep 3',
].join('\n');

async function secretReaches(sandbox: 'bwrap' | 'docker') {
  const run = nexa(cluster.home, [
    'run',
    '--secret',
    'API_KEY',
    '--sandbox',
    sandbox,
    '--json',
    '--',
    'sh',
    '-c',
    script,
  ]);
  const taskId = await cluster.nextTask();
  await cluster.observer.waitForEvent(taskId, output('scan-now'));
  const lines = await commandLines();
  // The scan saw the task's own processes (so it could have seen the value), and nowhere the value.
  expect(lines.some((line) => line.includes('scan-now') && !line.includes(nexaBin))).toBe(true);
  expect(lines.filter((line) => line.includes(VALUE))).toEqual([]);

  const ran = await run;
  expect(ran.exitCode, describeRun(ran)).toBe(0);
  expect(resultTaskId(ran)).toBe(taskId);
  expect(ran.stdout + ran.stderr).not.toContain(VALUE);

  const logs = await nexa(cluster.home, ['logs', taskId]);
  const json = await nexa(cluster.home, ['logs', taskId, '--json']);
  for (const shown of [logs, json]) {
    expect(shown.exitCode, describeRun(shown)).toBe(0);
    expect(shown.stdout).not.toContain(VALUE);
    expect(shown.stdout).not.toContain(VALUE.slice(0, -8)); // nor the first part of the split one
  }
  // The task printed what a whole log shows: the hash (it had the value), the value twice, redacted.
  const printed = json.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { kind?: string; data?: string })
    .flatMap((event) => (event.kind === 'output' ? [event.data] : []))
    .join('');
  for (const text of [logs.stdout, printed]) {
    expect(text).toContain(`${VALUE_SHA256}  -`);
    expect(text).toContain('whole: [redacted:API_KEY]\nsplit: [redacted:API_KEY]\nscan-now');
  }
}

describe.skipIf(!bwrapWorks)('the secret store', () => {
  it('takes a value from stdin, lists its name (never the value), refuses an empty one', async () => {
    const set = await secretSet('API_KEY', `${VALUE}\n`);
    expect(set.exitCode, describeRun(set)).toBe(0);
    expect(set.stdout).toBe('secret API_KEY set in project default');
    const listed = await nexa(cluster.home, ['secret', 'list', '--json']);
    expect(listed.exitCode, describeRun(listed)).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: 'API_KEY', project: 'default' }),
    ]);
    expect(listed.stdout).not.toContain(VALUE);

    const empty = await secretSet('EMPTY_KEY', '');
    expect(empty.exitCode).toBe(125);
    expect(empty.stderr).toMatch(/^nexa: no value for EMPTY_KEY was given/);
    const missing = await nexa(cluster.home, ['run', '--secret', 'NO_SUCH_KEY', '--', 'true']);
    expect(missing.exitCode).toBe(125);
    expect(missing.stderr).toContain('no secret "NO_SUCH_KEY" in project default');
  }, 60_000);

  it('reaches a bubblewrap task’s environment, never its log or a command line', async () => {
    await secretReaches('bwrap');
  }, 60_000);

  it.skipIf(!docker)(
    'reaches a docker task’s environment, never its log or a command line',
    async () => {
      await secretReaches('docker');
    },
    90_000,
  );
});
