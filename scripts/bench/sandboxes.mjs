// Sandbox start latency: spawn → first output byte of `echo ready`, for each
// sandbox through Nexa's own interface, beside a plain bwrap and a plain
// `docker run --rm` of the same command, interleaved in one run (p50/p90).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bwrapSandbox, dockerSandbox, processSandbox } from '@nexa/worker/sandbox';
import { countFlag } from './flags.mjs';
import { figure } from './result.mjs';
import { percentile } from './stats.mjs';

export const sandboxesFlags = { runs: { type: 'string' } };

const IMAGE = 'nexa-test:busybox';
const argv = ['sh', '-c', 'echo ready'];

function firstByte(stdout, started) {
  return new Promise((resolve, reject) => {
    stdout.once('data', () => resolve(performance.now() - started));
    stdout.once('error', reject);
  });
}

function viaSandbox(sandbox) {
  return async () => {
    const workdir = mkdtempSync(join(tmpdir(), 'nexa-bench-sandbox-'));
    const started = performance.now();
    const child = sandbox.spawn({
      argv,
      workdir,
      env: { PATH: '/usr/bin:/bin' },
      network: false,
      limits: {},
    });
    const latency = await firstByte(child.stdout, started);
    child.stdout.resume();
    child.stderr.resume();
    await child.wait();
    await rm(workdir, { recursive: true, force: true });
    return latency;
  };
}

function plain(file, args) {
  return async () => {
    const started = performance.now();
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    const latency = await firstByte(child.stdout, started);
    child.stdout.resume();
    await new Promise((resolve) => child.once('close', resolve));
    return latency;
  };
}

export async function benchSandboxes({ quick, runs: given }) {
  const runs = countFlag('runs', given, quick ? 10 : 50);
  const notes = [];
  const pairs = [['process', 'plain spawn', 'nexa process']];
  const paths = [
    ['plain spawn', plain(argv[0], argv.slice(1))],
    ['nexa process', viaSandbox(processSandbox)],
  ];
  const bwrap = bwrapSandbox();
  if ((await bwrap.probe()) === true) {
    paths.push([
      'bare bwrap',
      plain('bwrap', ['--die-with-parent', '--unshare-all', '--ro-bind', '/', '/', ...argv]),
    ]);
    paths.push(['nexa bwrap', viaSandbox(bwrap)]);
    pairs.push(['bwrap', 'bare bwrap', 'nexa bwrap']);
  } else notes.push('bwrap: not available here, skipped');
  spawnSync('sh', [new URL('../testImage.sh', import.meta.url).pathname], { stdio: 'ignore' });
  const docker = dockerSandbox({ defaultImage: IMAGE });
  if ((await docker.probe()) === true) {
    paths.push([
      'bare docker run --rm',
      plain('docker', ['run', '--rm', '--network', 'none', IMAGE, ...argv]),
    ]);
    paths.push(['nexa docker', viaSandbox(docker)]);
    pairs.push(['docker', 'bare docker run --rm', 'nexa docker']);
  } else notes.push('docker: not available here, skipped');

  const samples = new Map(paths.map(([name]) => [name, []]));
  for (const [, measure] of paths) await measure(); // warm caches
  for (let i = 0; i < runs; i++) {
    for (const [name, measure] of paths) samples.get(name).push(await measure());
  }
  const budgets = { bwrap: '≤ 1.2×' };
  return {
    name: 'sandboxes',
    title: `Sandbox start: spawn → first output byte of \`echo ready\` through Nexa's sandbox interface, beside the bare command (${runs} runs each, interleaved)`,
    rows: pairs.flatMap(([sandbox, bare, nexa]) =>
      [50, 90].map((p) =>
        figure(`${sandbox} p${p}`, {
          nexa: percentile(samples.get(nexa), p),
          raw: percentile(samples.get(bare), p),
          unit: 'ms',
          budget: p === 50 ? (budgets[sandbox] ?? '') : '',
        }),
      ),
    ),
    notes,
    data: { runs, samples: Object.fromEntries(samples) },
  };
}
