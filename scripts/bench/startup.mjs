// Start-up costs a person feels, each beside the bare thing it is built on, interleaved:
// `nexa server --port 0` until it logs "listening" beside a bare node http server until it
// listens; `nexa --help` beside `node -e ''`; and an idle worker's resident memory (connected,
// after a few heartbeats) beside an idle bare node process. Budgets (DESIGN.md): coordinator
// accepting in ≤ 1 s, `nexa --help` ≤ 300 ms, worker idle RSS ≤ 80 MB.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { countFlag } from './flags.mjs';
import { figure } from './result.mjs';
import { startStack } from './stack.mjs';
import { percentile } from './stats.mjs';

const nexaBin = fileURLToPath(new URL('../../packages/cli/bin/run.js', import.meta.url));
const bareServer =
  "require('node:http').createServer().listen(0, '127.0.0.1', () => console.error('listening'))";

export const startupFlags = { runs: { type: 'string' } };

/** Milliseconds from spawn until the process writes `ready` on stderr; then it is stopped. */
function untilLogged(args, ready, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    let elapsed;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      log += chunk;
      if (elapsed !== undefined || !ready.test(log)) return;
      elapsed = performance.now() - started;
      child.kill('SIGTERM');
    });
    child.once('exit', (code) =>
      elapsed !== undefined
        ? resolve(elapsed)
        : reject(new Error(`${args.join(' ')} exited (${code}) before "${ready.source}":\n${log}`)),
    );
  });
}

/** Milliseconds from spawn to exit. */
function untilExit(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.once('exit', (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`${args.join(' ')} exited ${code}`)),
    );
  });
}

async function rssMb(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

export async function benchStartup({ quick, runs }) {
  const count = countFlag('runs', runs, quick ? 3 : 20);
  const dir = await mkdtemp(join(tmpdir(), 'nexa-bench-startup-'));
  const env = { XDG_CONFIG_HOME: join(dir, 'config'), NEXA_SERVER: '', NEXA_TOKEN: '' };
  const samples = { coordinator: [], coordinatorAgain: [], bareServer: [], help: [], bareNode: [] };
  try {
    for (let i = 0; i < count; i++) {
      // A fresh data dir each time: the first start (migrations, a new signing key) is the one people wait for.
      const serverEnv = { ...env, NEXA_DATA_DIR: join(dir, `data-${i}`) };
      samples.coordinator.push(
        await untilLogged([nexaBin, 'server', '--port', '0'], /listening on/, serverEnv),
      );
      // ...and again on the data dir it left, as every later start is.
      samples.coordinatorAgain.push(
        await untilLogged([nexaBin, 'server', '--port', '0'], /listening on/, serverEnv),
      );
      samples.bareServer.push(await untilLogged(['-e', bareServer], /listening/, {}));
      samples.help.push(await untilExit([nexaBin, '--help']));
      samples.bareNode.push(await untilExit(['-e', '']));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const stack = await startStack({ capacity: 4 });
  const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  let memory;
  try {
    // Settling is the point here: a few heartbeats, timers and caches in their steady state.
    await sleep(5000);
    memory = {
      worker: await rssMb(stack.workers.bench.pid),
      coordinator: await rssMb(stack.coordinator.pid),
      bareNode: await rssMb(idle.pid),
    };
  } finally {
    idle.kill();
    await stack.close();
  }
  const p50 = (values) => percentile(values, 50);
  return {
    name: 'startup',
    title: `Start-up: spawn → ready (median of ${count}, interleaved), and idle memory after 5 s connected`,
    rows: [
      figure('coordinator: spawn → "listening" (fresh data dir)', {
        nexa: p50(samples.coordinator),
        raw: p50(samples.bareServer),
        unit: 'ms',
        budget: '≤ 1000 ms',
      }),
      figure('coordinator: spawn → "listening" (existing data dir)', {
        nexa: p50(samples.coordinatorAgain),
        raw: p50(samples.bareServer),
        unit: 'ms',
        budget: '≤ 1000 ms',
      }),
      figure('`nexa --help` (raw: `node -e ""`)', {
        nexa: p50(samples.help),
        raw: p50(samples.bareNode),
        unit: 'ms',
        budget: '≤ 300 ms',
      }),
      figure('idle worker RSS (raw: idle node)', {
        nexa: memory.worker,
        raw: memory.bareNode,
        unit: 'MB',
        budget: '≤ 80 MB',
      }),
      figure('idle coordinator RSS (raw: idle node)', {
        nexa: memory.coordinator,
        raw: memory.bareNode,
        unit: 'MB',
      }),
    ],
    notes: ['raw for the coordinator: a bare node http server started until it listens'],
    data: { runs: count, samples, memory },
  };
}
