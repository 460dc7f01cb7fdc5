// A light process running N simulated workers (see simWorker.mjs) against a
// coordinator, for the fleet bench; it spawns nothing, so a hundred workers
// and a thousand "running" tasks cost the coordinator what real ones would,
// without the machine paying for the tasks.
//
//   NEXA_TOKEN=WORKER_TOKEN node scripts/fleet/simWorkers.mjs --server URL [--workers 10] [--capacity 12]
//        [--lines-per-second 0] [--label fleet=sim] [--name sim]
//
// Every flag also reads from the environment (NEXA_SERVER, NEXA_TOKEN, SIM_WORKERS, SIM_CAPACITY,
// SIM_LINES_PER_SECOND, SIM_LABEL, SIM_NAME). Reports go to the parent over IPC when forked, else as
// JSON lines on stdout: {type:'ready'}, 'assigned', 'running', 'sessionEnded', 'sessionError', and
// 'stats' in answer to {type:'collect'}. Commands come the same way (IPC, or JSON lines on stdin):
// {type:'rate', linesPerSecond}, {type:'collect'}, {type:'stop'}.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { SimStats } from './simStats.mjs';
import { SimWorker } from './simWorker.mjs';

/** How often tasks print what is due: the real worker's batching window. */
const TICK_MS = 50;

const { values: flags } = parseArgs({
  options: {
    server: { type: 'string', default: process.env.NEXA_SERVER },
    token: { type: 'string', default: process.env.NEXA_TOKEN },
    workers: { type: 'string', default: process.env.SIM_WORKERS ?? '10' },
    capacity: { type: 'string', default: process.env.SIM_CAPACITY ?? '12' },
    'lines-per-second': { type: 'string', default: process.env.SIM_LINES_PER_SECOND ?? '0' },
    label: { type: 'string', default: process.env.SIM_LABEL ?? 'fleet=sim' },
    name: { type: 'string', default: process.env.SIM_NAME ?? `sim-${process.pid}` },
  },
});

function fail(message) {
  console.error(`simWorkers: ${message}`);
  process.exit(2);
}

const count = Number(flags.workers);
const capacity = Number(flags.capacity);
let linesPerSecond = Number(flags['lines-per-second']);
if (!flags.server || !flags.token) fail('--server and --token (a worker token) are required');
if (!Number.isInteger(count) || count < 1)
  fail(`--workers must be a positive integer, not "${flags.workers}"`);
if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1024)
  fail(`--capacity must be an integer from 1 to 1024, not "${flags.capacity}"`);
if (!(linesPerSecond >= 0)) fail(`--lines-per-second must be 0 or more, not "${flags['lines-per-second']}"`);
const [labelKey, labelValue] = flags.label.split('=');
if (!labelKey || labelValue === undefined) fail(`--label must be key=value, not "${flags.label}"`);

const report = process.send
  ? (message) => process.send(message)
  : (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

const stats = new SimStats();
const workers = Array.from(
  { length: count },
  (_, i) =>
    new SimWorker({
      server: flags.server,
      token: flags.token,
      name: `${flags.name}-${i}`,
      labels: { [labelKey]: labelValue },
      capacity,
      stats,
      report,
    }),
);

let ticker;
let lastTick = 0;
function setRate(rate) {
  linesPerSecond = rate;
  clearInterval(ticker);
  ticker = undefined;
  if (rate <= 0) return; // silent tasks need no timer at all
  lastTick = performance.now();
  ticker = setInterval(() => {
    const at = performance.now();
    const seconds = (at - lastTick) / 1000;
    lastTick = at;
    for (const worker of workers) worker.tick(seconds, linesPerSecond);
  }, TICK_MS);
}

async function stop() {
  clearInterval(ticker);
  await Promise.allSettled(workers.map((worker) => worker.close()));
  process.exit(0);
}

function onCommand(command) {
  switch (command?.type) {
    case 'rate':
      setRate(Number(command.linesPerSecond) || 0);
      break;
    case 'collect': {
      const running = workers.reduce((total, worker) => total + worker.tasks.size, 0);
      const tasks = workers.flatMap((worker) => [...worker.tasks.keys()]);
      report({ type: 'stats', running, tasks, ...stats.take() });
      break;
    }
    case 'stop':
      void stop();
      break;
  }
}

if (process.send) {
  process.on('message', onCommand);
  process.on('disconnect', () => void stop()); // the bench is gone: so are we
} else {
  createInterface({ input: process.stdin }).on('line', (line) => {
    try {
      onCommand(JSON.parse(line));
    } catch {
      console.error(`simWorkers: not a JSON command: ${line.slice(0, 80)}`);
    }
  });
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

// Register a few at a time: a hundred sessions opening at once is a thundering herd, not a fleet.
for (let i = 0; i < workers.length; i += 10) {
  await Promise.all(workers.slice(i, i + 10).map((worker) => worker.open())).catch((error) =>
    fail(`a simulated worker could not register: ${error.message}`),
  );
}
setRate(linesPerSecond);
report({ type: 'ready', workers: count });
