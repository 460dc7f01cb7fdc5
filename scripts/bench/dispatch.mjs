// Submit → first output byte on an idle worker (process sandbox), against a
// bare spawn of the same command measured in the same run, interleaved so
// machine noise hits both alike. Budget (DESIGN.md): p50 within 10 ms of the
// bare spawn, p99 ≤ 50 ms.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { runTask, startStack } from './stack.mjs';
import { ms, percentile, printTable } from './stats.mjs';

const command = ['sh', '-c', 'echo ready'];

function bareSpawn() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.once('data', () => resolve(performance.now() - started));
    child.once('error', reject);
  });
}

async function nexaFirstByte(client) {
  const started = performance.now();
  let firstByte;
  await runTask(client, command, (event) => {
    if (event.kind === 'output' && firstByte === undefined) firstByte = performance.now() - started;
  });
  return firstByte;
}

export async function benchDispatch({ runs = 200 } = {}) {
  const stack = await startStack({ capacity: 1 });
  try {
    for (let i = 0; i < 10; i++) await nexaFirstByte(stack.client); // warm up JIT and the database
    const nexa = [];
    const bare = [];
    for (let i = 0; i < runs; i++) {
      bare.push(await bareSpawn());
      nexa.push(await nexaFirstByte(stack.client));
    }
    const row = (name, samples) => [
      name,
      ms(percentile(samples, 50)),
      ms(percentile(samples, 99)),
      samples.length,
    ];
    printTable(
      `Dispatch: submit → first output byte, idle worker, process sandbox (${runs} runs each)`,
      ['path', 'p50', 'p99', 'runs'],
      [row('bare spawn', bare), row('nexa', nexa)],
    );
    const overhead = percentile(nexa, 50) - percentile(bare, 50);
    console.log(
      `p50 overhead over bare spawn: ${ms(overhead)} (budget ≤ 10 ms); nexa p99 ${ms(percentile(nexa, 99))} (budget ≤ 50 ms)`,
    );
    return { p50: percentile(nexa, 50), p99: percentile(nexa, 99), bareP50: percentile(bare, 50) };
  } finally {
    await stack.close();
  }
}
