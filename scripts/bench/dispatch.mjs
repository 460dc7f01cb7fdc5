// Submit → first output byte on an idle worker (process sandbox), against a
// bare spawn of the same command measured in the same run, interleaved so
// machine noise hits both alike. Then the same through bubblewrap: a task in
// the bwrap sandbox against a bare `bwrap ... sh -c 'echo ready'`. Budget
// (DESIGN.md): p50 within 10 ms of the bare spawn, p99 ≤ 50 ms; bubblewrap
// start ≤ 1.2× bare bwrap. Every sample is kept for plot.mjs.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { bwrapSandbox } from '@nexa/worker/sandbox';
import { countFlag } from './flags.mjs';
import { figure } from './result.mjs';
import { runTask, startStack } from './stack.mjs';
import { percentile } from './stats.mjs';

const command = ['sh', '-c', 'echo ready'];
const bareBwrap = ['bwrap', '--die-with-parent', '--unshare-all', '--ro-bind', '/', '/', ...command];

export const dispatchFlags = { runs: { type: 'string' } };

function bareSpawn(argv) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.once('data', () => resolve(performance.now() - started));
    child.stdout.resume();
    child.once('error', reject);
  });
}

async function nexaFirstByte(client, sandbox) {
  const started = performance.now();
  let firstByte;
  await runTask(
    client,
    command,
    (event) => {
      if (event.kind === 'output' && firstByte === undefined) firstByte = performance.now() - started;
    },
    sandbox,
  );
  if (firstByte === undefined) throw new Error(`a ${sandbox} task printed nothing`);
  return firstByte;
}

/** `runs` rounds of each measure in turn, after a few unmeasured ones (JIT, caches, the database). */
async function interleaved(runs, measures) {
  for (let i = 0; i < 5; i++) for (const measure of Object.values(measures)) await measure();
  const samples = Object.fromEntries(Object.keys(measures).map((name) => [name, []]));
  for (let i = 0; i < runs; i++)
    for (const [name, measure] of Object.entries(measures)) samples[name].push(await measure());
  return samples;
}

const percentiles = (label, nexa, bare, budgets) =>
  [50, 90, 99].map((p) =>
    figure(`${label} p${p}`, {
      nexa: percentile(nexa, p),
      raw: percentile(bare, p),
      unit: 'ms',
      budget: budgets[p] ?? '',
    }),
  );

export async function benchDispatch({ quick, runs }) {
  const count = countFlag('runs', runs, quick ? 50 : 1000);
  const stack = await startStack({ capacity: 1 });
  try {
    const plain = await interleaved(count, {
      bare: () => bareSpawn(command),
      nexa: () => nexaFirstByte(stack.client, 'process'),
    });
    const rows = percentiles('process sandbox: submit → first byte', plain.nexa, plain.bare, {
      50: '≤ raw + 10 ms',
      99: '≤ 50 ms',
    });
    const data = { runs: count, samples: { 'bare spawn': plain.bare, nexa: plain.nexa } };
    const notes = [
      `p50 over a bare spawn: +${(percentile(plain.nexa, 50) - percentile(plain.bare, 50)).toFixed(1)} ms (budget ≤ 10 ms)`,
    ];
    if ((await bwrapSandbox().probe()) === true) {
      const bwrapRuns = Math.max(20, Math.round(count / 5));
      const bwrap = await interleaved(bwrapRuns, {
        bare: () => bareSpawn(bareBwrap),
        nexa: () => nexaFirstByte(stack.client, 'bwrap'),
      });
      rows.push(
        ...percentiles(`bwrap sandbox (${bwrapRuns} runs)`, bwrap.nexa, bwrap.bare, { 50: '≤ 1.2×' }),
      );
      data.samples['bare bwrap'] = bwrap.bare;
      data.samples['nexa bwrap'] = bwrap.nexa;
    } else notes.push('bwrap: not usable here, its comparison was skipped');
    return {
      name: 'dispatch',
      title: `Dispatch: submit → first output byte of \`echo ready\` on an idle worker, beside a bare spawn (${count} runs each, interleaved)`,
      rows,
      notes,
      data,
    };
  } finally {
    await stack.close();
  }
}
