// A fleet on one coordinator: simulated workers (scripts/fleet, the real worker protocol, no real
// processes behind their tasks) hold 1,000 running tasks over 100 workers, silent and then each
// printing 10 lines/s. Per phase: the coordinator's CPU and RSS, append acknowledgement latency,
// dispatch of extra tasks to one real `nexa worker` meanwhile (beside a bare spawn of the same
// command), and workers wrongly declared lost. Then one simulator process (10 workers) is SIGKILLed:
// the time until its tasks run again elsewhere (heartbeat 2 s, lease 10 s). Beside the acks, the raw
// limit from the same run: the same rows group-committed straight into libSQL.
//
// Then, unless --quick or --scale 0, the scale stage: a fresh coordinator, 1,000 simulated workers
// and silent tasks added 2,000 at a time up to --scale (10,000); at each step RSS, CPU and dispatch,
// stopping where it breaks (RSS > 1 GB, dispatch p99 > 5 s, or the tasks not all running within
// 3 minutes). It takes a few minutes; `--scale 0` skips it, `--quick --scale 2000` runs a small one.
//
//   pnpm bench fleet [--quick] [--json] [--scale N]
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { NexaError } from '@nexa/core';
import { createNexaClient } from '@nexa/core/client';
import { Processes } from '../fleet/processes.mjs';
import { watchProcess } from '../fleet/procStats.mjs';
import { rawGroupCommits } from '../fleet/rawStore.mjs';
import { SimFleet } from '../fleet/simFleet.mjs';
import { figure } from './result.mjs';
import { percentile } from './stats.mjs';

export const fleetFlags = { scale: { type: 'string' } };

const budgets = {
  dispatchP99Ms: 100,
  ackP99Ms: 250,
  cpuPercent: 50,
  rssMb: 400,
  requeueSeconds: 15,
  scaleRssMb: 1024,
  scaleDispatchP99Ms: 250,
};
/** Where the scale stage stops: far past the budgets, where going on measures nothing new. */
const breaking = { rssMb: 1024, dispatchP99Ms: 5000, runWithinMs: 180_000 };

const extraCommand = ['sh', '-c', 'echo ready'];
const simLabel = 'fleet=sim';
const realLabel = 'fleet=real';
/** The real worker's batching window: the events of one window are what a group commit holds. */
const windowMs = 50;

function options({ quick, scale }) {
  const scaleTasks = scale === undefined ? (quick ? 0 : 10_000) : Number(scale);
  if (!Number.isInteger(scaleTasks) || scaleTasks < 0)
    throw new NexaError(
      'invalid_input',
      `--scale takes a number of running tasks (e.g. 10000, or 0 to skip), not "${scale}"`,
    );
  return quick
    ? {
        tasks: 100,
        sims: 2,
        workersPerSim: 5,
        phaseSeconds: 4,
        linesPerSecond: 10,
        extraEveryMs: 200,
        scaleTasks,
      }
    : {
        tasks: 1000,
        sims: 10,
        workersPerSim: 10,
        phaseSeconds: 20,
        linesPerSecond: 10,
        extraEveryMs: 200,
        scaleTasks,
      };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `count` calls of `fn(i)` with at most `width` at once (the coordinator serves 16 client calls at a time). */
async function inGroups(count, fn, width = 16) {
  const results = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await fn(i);
      }
    }),
  );
  return results;
}

function bareSpawn() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(extraCommand[0], extraCommand.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.once('data', () => resolve(performance.now() - started));
    child.once('error', reject);
  });
}

/** Submit → first output event of one extra task, which only the real worker may take. */
function dispatchOnce(client) {
  const started = performance.now();
  return client.tasks.submit
    .mutate({ command: extraCommand, sandbox: 'process', labels: { fleet: 'real' } })
    .then(
      (task) =>
        new Promise((resolve, reject) => {
          const subscription = client.events.tail.subscribe(
            { taskId: task.id },
            {
              onData: ({ data }) => {
                if (data.kind !== 'output') return;
                resolve(performance.now() - started);
                subscription.unsubscribe();
              },
              onError: reject,
              onComplete: () => resolve(null), // ended without output: counted as never started
            },
          );
        }),
    );
}

/**
 * For `ms`: an extra task submitted every `everyMs` (not waiting for the one before, as people
 * submit), each beside a bare spawn of the same command, interleaved so noise hits both alike.
 */
async function measureDispatch(client, ms, everyMs) {
  const nexa = [];
  const bare = [];
  const pending = [];
  let failed = 0;
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const tick = sleep(everyMs);
    bare.push(await bareSpawn());
    if (pending.length - nexa.length - failed < 40) {
      // a tail subscription each: stay below the 64 one connection may hold
      pending.push(
        dispatchOnce(client).then(
          (latency) => (latency === null ? failed++ : nexa.push(latency)),
          () => failed++,
        ),
      );
    }
    await tick;
  }
  await Promise.race([Promise.all(pending), sleep(30_000)]);
  return { nexa, bare, submitted: pending.length, unfinished: pending.length - nexa.length };
}

const p = (samples, at) => (samples.length ? percentile(samples, at) : null);

/** One phase of the main stage: the fleet printing `linesPerSecond` per task for `seconds`. */
async function phase({ stack, fleet, opts }, linesPerSecond) {
  fleet.setRate(linesPerSecond);
  if (linesPerSecond > 0) await sleep(2000); // the first lines of a thousand tasks arrive together
  await fleet.collect(); // from here on
  const lostLinesBefore = stack.lostLines;
  const sessionsEndedBefore = fleet.sessionsEnded;
  const usage = await watchProcess(stack.coordinator.child.pid);
  const startedAt = performance.now();
  const dispatch = await measureDispatch(stack.client, opts.phaseSeconds * 1000, opts.extraEveryMs);
  const stats = await fleet.collect();
  const seconds = (performance.now() - startedAt) / 1000;
  const coordinator = await usage.end();
  const listed = await stack.client.workers.list.query();
  return {
    linesPerSecond,
    seconds,
    coordinator,
    dispatch,
    acks: stats,
    appendsPerSecond: stats.appends / seconds,
    linesStoredPerSecond: stats.lines / seconds,
    linesOfferedPerSecond: opts.tasks * linesPerSecond,
    lostListed: listed.filter((worker) => worker.status === 'lost').length,
    lostLogged: stack.lostLines - lostLinesBefore,
    sessionsEnded: fleet.sessionsEnded - sessionsEndedBefore,
  };
}

/** A coordinator, one real worker for the extra tasks, a client, and `sims` simulator processes. */
async function startFleet(processes, { sims, workersPerSim, capacity }) {
  const coordinator = await processes.coordinator({ heartbeat: '2s', lease: '10s' });
  const stack = { coordinator, lostLines: 0 };
  coordinator.onLog((chunk) => {
    stack.lostLines += chunk.match(/ is lost/g)?.length ?? 0;
  });
  const { client, close } = createNexaClient({
    server: coordinator.url,
    token: coordinator.adminToken,
    transport: 'websocket',
  });
  stack.client = client;
  stack.closeClient = close;
  const { token } = await client.tokens.create.mutate({ role: 'worker' });
  await processes.realWorker({
    url: coordinator.url,
    token,
    env: coordinator.env,
    name: 'real',
    label: realLabel,
    capacity: 8,
  });
  const fleet = new SimFleet();
  // One simulator at a time: each registers its workers ten at a time.
  for (let i = 0; i < sims; i++) {
    const name = `sim${i}`;
    fleet.add(
      name,
      await processes.simulator({
        url: coordinator.url,
        token,
        name,
        workers: workersPerSim,
        capacity,
        label: simLabel,
      }),
    );
  }
  return { stack, fleet };
}

function submitSimTasks(client, count) {
  return inGroups(count, () =>
    client.tasks.submit.mutate({
      command: ['sleep', 'infinity'],
      sandbox: 'process',
      labels: { fleet: 'sim' },
      // A worker wrongly declared lost must not fail its tasks: the requeue is measured on all of them.
      maxAttempts: 100,
    }),
  );
}

async function mainStage(processes, opts) {
  const workers = opts.sims * opts.workersPerSim;
  // Room for every task, and for a killed simulator's tasks on the rest.
  const capacity = Math.ceil((opts.tasks / (workers - opts.workersPerSim)) * 1.1);
  const { stack, fleet } = await startFleet(processes, { ...opts, capacity });
  try {
    const submitStarted = performance.now();
    await submitSimTasks(stack.client, opts.tasks);
    await fleet.waitRunning(opts.tasks, 300_000);
    const rampSeconds = (performance.now() - submitStarted) / 1000;
    console.log(
      `  fleet: ${opts.tasks} tasks running on ${workers} simulated workers after ${rampSeconds.toFixed(1)} s`,
    );
    const silent = await phase({ stack, fleet, opts }, 0);
    // The raw limit, in the same run (the fleet silent): one window of the streaming phase's events per commit.
    const rowsPerCommit = Math.max(1, Math.round((opts.tasks * opts.linesPerSecond * windowMs) / 1000));
    const raw = await rawGroupCommits(await processes.tempDir(), {
      rowsPerCommit,
      commits: opts.quick ? 40 : 200,
    });
    // The ceiling: the same rows in large commits, as a group commit under backlog would write them.
    const bulk = await rawGroupCommits(await processes.tempDir(), {
      rowsPerCommit: 5000,
      commits: opts.quick ? 4 : 20,
    });
    raw.rowsPerSecond = bulk.rowsPerSecond;
    const streaming = await phase({ stack, fleet, opts }, opts.linesPerSecond);
    // The budget holds under load: the rest of the fleet goes on printing while one simulator dies.
    console.log(`  fleet: SIGKILLing ${opts.workersPerSim} simulated workers while the rest print`);
    const requeue = await fleet.killAndWaitRequeue('sim0', 120_000);
    fleet.setRate(0);
    return {
      workers,
      capacity,
      rampSeconds,
      silent,
      streaming,
      raw: { rowsPerCommit, ...raw },
      requeue,
      sessionErrors: fleet.sessionErrors,
    };
  } finally {
    fleet.stopAll();
    await stack.closeClient();
    await processes.stopAll(stack.coordinator.child);
  }
}

/** Silent tasks added step by step over `scaleTasks / 10` workers, until the goal or until it breaks. */
async function scaleStage(processes, opts) {
  const workers = Math.ceil(opts.scaleTasks / 10);
  const sims = Math.min(10, workers);
  const workersPerSim = Math.ceil(workers / sims);
  const capacity = 12;
  const { stack, fleet } = await startFleet(processes, { sims, workersPerSim, capacity });
  const steps = [];
  let broke = null;
  try {
    const step = Math.max(1, Math.ceil(opts.scaleTasks / 5));
    for (
      let target = step;
      target <= opts.scaleTasks && !broke;
      target = Math.min(opts.scaleTasks, target + step)
    ) {
      const started = performance.now();
      await submitSimTasks(stack.client, target - fleet.running.size);
      try {
        await fleet.waitRunning(target, breaking.runWithinMs);
      } catch (error) {
        broke = `at ${target} tasks: ${error.message}`;
      }
      const rampSeconds = (performance.now() - started) / 1000;
      const usage = await watchProcess(stack.coordinator.child.pid);
      const dispatch = await measureDispatch(stack.client, opts.quick ? 3000 : 5000, opts.extraEveryMs);
      const coordinator = await usage.end();
      const listed = await stack.client.workers.list.query();
      const figures = {
        running: fleet.running.size,
        rampSeconds,
        coordinator,
        dispatchP50Ms: p(dispatch.nexa, 50),
        dispatchP99Ms: p(dispatch.nexa, 99),
        bareP99Ms: p(dispatch.bare, 99),
        unfinished: dispatch.unfinished,
        lost: listed.filter((worker) => worker.status === 'lost').length,
      };
      steps.push(figures);
      console.log(
        `  scale: ${figures.running} running on ${workers} workers; RSS ${coordinator.peakRssMb.toFixed(0)} MB, CPU ${coordinator.cpuPercent.toFixed(0)} %, dispatch p50 ${figures.dispatchP50Ms?.toFixed(0)} ms p99 ${figures.dispatchP99Ms?.toFixed(0)} ms, ${figures.lost} lost, step took ${rampSeconds.toFixed(0)} s`,
      );
      if (coordinator.peakRssMb > breaking.rssMb)
        broke ??= `at ${figures.running} tasks: RSS ${coordinator.peakRssMb.toFixed(0)} MB > 1 GB`;
      if ((figures.dispatchP99Ms ?? Infinity) > breaking.dispatchP99Ms)
        broke ??= `at ${figures.running} tasks: dispatch p99 ${figures.dispatchP99Ms === null ? 'none started' : `${figures.dispatchP99Ms.toFixed(0)} ms`} > 5 s`;
      if (target === opts.scaleTasks) break;
    }
    return { workers, steps, broke };
  } finally {
    fleet.stopAll();
    await stack.closeClient();
    await processes.stopAll(stack.coordinator.child);
  }
}

function phaseRows(name, r, raw) {
  const rows = [
    figure(`${name}: dispatch p50 (extra task → first output)`, {
      nexa: p(r.dispatch.nexa, 50),
      raw: p(r.dispatch.bare, 50),
      unit: 'ms',
    }),
    figure(`${name}: dispatch p99`, {
      nexa: p(r.dispatch.nexa, 99),
      raw: p(r.dispatch.bare, 99),
      unit: 'ms',
      budget: `≤ ${budgets.dispatchP99Ms} ms`,
    }),
    figure(`${name}: extra tasks not started`, {
      nexa: r.dispatch.unfinished,
      unit: `of ${r.dispatch.submitted}`,
      budget: '0',
    }),
  ];
  // Silent tasks append nothing once running: acks are measured while they print.
  if (r.linesPerSecond > 0) {
    rows.push(
      figure(`${name}: append ack p50`, {
        nexa: p(r.acks.ackMs, 50),
        raw: p(raw.commitMs, 50),
        unit: 'ms',
      }),
      figure(`${name}: append ack p99`, {
        nexa: p(r.acks.ackMs, 99),
        raw: p(raw.commitMs, 99),
        unit: 'ms',
        budget: `≤ ${budgets.ackP99Ms} ms`,
      }),
      figure(`${name}: line printed → stored p99`, { nexa: p(r.acks.lineMs, 99), unit: 'ms' }),
      figure(`${name}: lines stored/s (offered ${r.linesOfferedPerSecond.toLocaleString('en-US')})`, {
        nexa: r.linesStoredPerSecond,
        raw: raw.rowsPerSecond,
        unit: '/s',
        better: 'higher',
      }),
      figure(`${name}: appends acked/s`, { nexa: r.appendsPerSecond, unit: '/s', better: 'higher' }),
    );
  }
  const refused = Object.entries(r.acks.errors)
    .map(([code, count]) => `${code} ${count}`)
    .join(', ');
  rows.push(
    figure(`${name}: calls refused (appends, heartbeats)`, { nexa: refused || 0, unit: '', budget: '0' }),
    figure(`${name}: coordinator CPU (one core)`, {
      nexa: r.coordinator.cpuPercent,
      unit: '%',
      budget: `≤ ${budgets.cpuPercent} %`,
    }),
    figure(`${name}: coordinator RSS (peak)`, {
      nexa: r.coordinator.peakRssMb,
      unit: 'MB',
      budget: `≤ ${budgets.rssMb} MB`,
    }),
    figure(`${name}: false lost workers`, {
      nexa: Math.max(r.lostListed, r.lostLogged, r.sessionsEnded),
      unit: '',
      budget: '0',
    }),
  );
  return rows;
}

function report(opts, main, scale) {
  const rows = [
    ...phaseRows('silent', main.silent, main.raw),
    ...phaseRows(`${opts.linesPerSecond} lines/s each`, main.streaming, main.raw),
    figure(
      `requeue: ${opts.workersPerSim} SIGKILLed workers' ${main.requeue.tasks} tasks assigned elsewhere`,
      {
        nexa: main.requeue.assignedSeconds,
        unit: 's',
        budget: `≤ ${budgets.requeueSeconds} s`,
      },
    ),
    figure('requeue: … and running again', {
      nexa: main.requeue.complete
        ? main.requeue.runningSeconds
        : `${main.requeue.requeued} of ${main.requeue.tasks} in 120 s`,
      unit: 's',
      budget: `≤ ${budgets.requeueSeconds} s`,
    }),
  ];
  const notes = [
    `${opts.tasks} tasks on ${main.workers} simulated workers (${opts.sims} processes, capacity ${main.capacity}) running after ${main.rampSeconds.toFixed(1)} s; phases of ${opts.phaseSeconds} s; heartbeat 2 s, lease 10 s`,
    `raw: dispatch beside a bare spawn of \`${extraCommand.join(' ')}\`; acks beside raw libSQL commits of ${main.raw.rowsPerCommit} rows (one ${windowMs} ms window of the streaming phase) as multi-row inserts in one transaction, into a fresh file; lines stored/s beside the same rows committed 5,000 at a time`,
  ];
  if (main.sessionErrors.length)
    notes.push(`simulated workers' session errors: ${main.sessionErrors.join('; ')}`);
  if (scale) {
    const last = scale.steps.at(-1);
    for (const step of scale.steps) {
      rows.push(
        figure(`scale ${step.running} tasks/${scale.workers} workers: RSS (peak)`, {
          nexa: step.coordinator.peakRssMb,
          unit: 'MB',
          budget: `≤ ${budgets.scaleRssMb} MB`,
        }),
        figure(`scale ${step.running}: dispatch p99`, {
          nexa: step.dispatchP99Ms,
          raw: step.bareP99Ms,
          unit: 'ms',
          budget: `≤ ${budgets.scaleDispatchP99Ms} ms`,
        }),
        figure(`scale ${step.running}: coordinator CPU (silent)`, {
          nexa: step.coordinator.cpuPercent,
          unit: '%',
        }),
      );
    }
    notes.push(
      scale.broke
        ? `scale stage stopped ${scale.broke}`
        : `scale stage reached ${last?.running ?? 0} running tasks over ${scale.workers} workers without breaking`,
    );
  }
  return {
    name: 'fleet',
    title: `Fleet: ${opts.tasks} running tasks over ${main.workers} simulated workers, silent then ${opts.linesPerSecond} lines/s each; extra tasks every ${opts.extraEveryMs} ms to one real worker`,
    rows,
    notes,
    data: { options: opts, main, scale },
  };
}

export async function benchFleet(given) {
  const opts = { ...options(given), quick: given.quick };
  const processes = new Processes();
  // Ctrl-C or a crash: no child outlives the bench, no temp dir stays.
  const bail = () => {
    processes.killAllNow();
    for (const dir of processes.dirs) rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = () => {
    bail();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', bail);
  try {
    const main = await mainStage(processes, opts);
    const scale = opts.scaleTasks > 0 ? await scaleStage(processes, opts) : null;
    return report(opts, main, scale);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', bail);
    bail();
  }
}
