// The TUI's budgets, measured on the real thing: a coordinator and a worker as processes, the TUI
// in a tmux pane on a private server, every byte it writes recorded (pipe-pane). Three phases:
// 20 tasks streaming 5,000 lines/s in total; idle; key press → next bytes on the terminal, with
// 200 tasks listed. The TUI's CPU and memory come from /proc for its whole process tree.
//
//   pnpm bench tui [--quick] [--json] [--command 'node packages/cli/bin/run.js tui']
//                  [--size 160x48] [--keys-before 'p,j,p'] [--key j]
//
// By default the keys pin four of the streaming tasks once they are listed (p, j, p, ...), so four
// panes stream at once, as a person watching several agents would have it.
//
// `{task}` in --command is replaced by the id of a task that keeps running through every phase
// (so `nexa logs --follow {task}` can stand in for the TUI); NEXA_SERVER and NEXA_TOKEN are set.
import { execFileSync } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NexaError } from '@nexa/core';
import { countFlag } from './flags.mjs';
import { loadTs } from './loadTs.mjs';
import { figure } from './result.mjs';
import { startStack } from './stack.mjs';
import { percentile } from './stats.mjs';

const repo = new URL('../../', import.meta.url);
const streamers = 20;
const linesPerSecondEach = 250; // 5,000 lines/s in total
const listed = 200;

const budgets = {
  streamingCpu: 25, // % of one core
  idleCpu: 1,
  keyP99: 50, // ms
  rssMb: 150,
  fps: 30,
};

// A task that prints like a build or a test run: coloured results, a carriage-return progress
// bar every 25 lines, 25 lines per 100 ms; then it ends, or with $3=stay, waits quietly.
const streamScript = `
ticks=$(( $2 * 10 ))
n=0
while [ $ticks -gt 0 ]; do
  ticks=$((ticks-1))
  i=0
  while [ $i -lt $1 ]; do
    n=$((n+1)); i=$((i+1))
    printf '\\033[32m\\342\\234\\223\\033[0m src/module%d.test.ts > case %d passed \\033[2m(%d ms)\\033[0m\\n' $((n % 97)) $n $((n % 13))
  done
  printf '\\r[%s] %d%%' '##########----------' $((n % 100))
  printf '\\r\\033[K'
  sleep 0.1
done
echo "done: $n lines"
[ "$3" = stay ] && exec sleep 3600
exit 0
`;

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** The pid and every descendant of it (the TUI may run children: a shell, node under npx...). */
async function processTree(root) {
  const parents = new Map();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parents.set(Number(entry), Number(fields[1]));
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++)
    for (const [pid, parent] of parents) if (parent === tree[i]) tree.push(pid);
  return tree;
}

/** CPU seconds used so far and resident memory now, summed over the tree. */
async function usage(pids) {
  let ticks = 0;
  let rssKb = 0;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime + stime
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    rssKb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return { cpuSeconds: ticks / clockTicks, rssMb: rssKb / 1024 };
}

/** Follows the recording file as it grows, feeding the byte checker with arrival times. */
async function followRecording(file, meter) {
  const handle = await open(file, 'r');
  let offset = 0;
  let listeners = [];
  const readNew = async () => {
    for (;;) {
      const buffer = Buffer.alloc(256 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      meter.write(buffer.subarray(0, bytesRead), performance.now());
      for (const listener of listeners) listener();
    }
  };
  let reading = Promise.resolve();
  const watcher = watch(file, () => {
    reading = reading.then(readNew);
  });
  await readNew();
  return {
    get offset() {
      return offset;
    },
    /** Resolves at the next bytes after now, or with undefined after `timeoutMs`. */
    nextBytes(timeoutMs) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => done(undefined), timeoutMs);
        const listener = () => done(performance.now());
        const done = (at) => {
          clearTimeout(timer);
          listeners = listeners.filter((l) => l !== listener);
          resolve(at);
        };
        listeners.push(listener);
      });
    },
    /** Resolves once nothing has arrived for `quietMs`. */
    async settle(quietMs) {
      while ((await this.nextBytes(quietMs)) !== undefined);
    },
    async close() {
      watcher.close();
      await reading;
      await readNew();
      await handle.close();
    },
  };
}

/** Measures the TUI's tree over `seconds`: CPU share of one core, peak RSS, bytes and frames. */
async function phase(seconds, pid, recording, meter) {
  const startedAt = performance.now();
  const startBytes = recording.offset;
  const startFrames = meter.report().frames;
  const start = await usage(await processTree(pid));
  let peakRss = start.rssMb;
  const deadline = startedAt + seconds * 1000;
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(500, deadline - performance.now())));
    peakRss = Math.max(peakRss, (await usage(await processTree(pid))).rssMb);
  }
  const end = await usage(await processTree(pid));
  const elapsed = (performance.now() - startedAt) / 1000;
  return {
    seconds: elapsed,
    cpuPercent: ((end.cpuSeconds - start.cpuSeconds) / elapsed) * 100,
    rssMb: Math.max(peakRss, end.rssMb),
    bytesPerSecond: (recording.offset - startBytes) / elapsed,
    framesPerSecond: (meter.report().frames - startFrames) / elapsed,
  };
}

export const tuiFlags = {
  command: { type: 'string' },
  size: { type: 'string' },
  'keys-before': { type: 'string' },
  key: { type: 'string' },
  presses: { type: 'string' },
};

function options(given) {
  const values = {
    command: 'node packages/cli/bin/run.js tui',
    size: '160x48',
    'keys-before': 'p,j,p,j,p,j,p',
    key: 'j',
    ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)),
  };
  const size = /^(\d+)x(\d+)$/.exec(values.size);
  if (!size)
    throw new NexaError('invalid_input', `--size takes COLSxROWS (e.g. 160x48), not "${values.size}"`);
  return {
    ...values,
    cols: Number(size[1]),
    rows: Number(size[2]),
    streamSeconds: values.quick ? 5 : 20,
    idleSeconds: values.quick ? 5 : 30,
    presses: countFlag('presses', values.presses, values.quick ? 20 : 100),
  };
}

export async function benchTui(given) {
  const opts = options(given);
  const { Tmux } = await loadTs(new URL('packages/cli/e2e/tmux.ts', repo));
  const { TerminalBytes } = await loadTs(new URL('packages/cli/e2e/terminalBytes.ts', repo));
  const dir = await mkdtemp(join(tmpdir(), 'nexa-bench-tui-'));
  const stack = await startStack({ capacity: streamers + 4 });
  let tmux;
  try {
    const { token } = await stack.client.tokens.create.mutate({ role: 'admin' });
    // The rest of the 200: finished tasks already in the list when the TUI opens.
    const finished = await inGroups(listed - streamers, (i) =>
      stack.client.tasks.submit.mutate({ command: ['echo', `finished task ${i}`], sandbox: 'process' }),
    );
    await inGroups(finished.length, (i) => waitForEnd(stack.client, finished[i].id));
    const watched = opts.command.includes('{task}');
    const submitStreamers = () =>
      inGroups(streamers, (i) =>
        stack.client.tasks.submit.mutate({
          command: [
            'sh',
            '-c',
            streamScript,
            'stream',
            String(linesPerSecondEach / 10),
            String(opts.streamSeconds),
            watched && i === 0 ? 'stay' : 'end',
          ],
          sandbox: 'process',
        }),
      );

    const file = join(dir, 'terminal.bytes');
    const meter = new TerminalBytes({ rows: opts.rows, cols: opts.cols });
    // The stand-in follows a task, so it needs one before it starts; the TUI sees them arrive.
    const early = watched ? await submitStreamers() : undefined;
    const command = ['sh', '-c', `exec ${opts.command.replaceAll('{task}', early?.[0]?.id ?? '')}`];
    tmux = await Tmux.start({
      command,
      cwd: new URL(repo).pathname,
      env: { NEXA_SERVER: stack.url, NEXA_TOKEN: token },
      cols: opts.cols,
      rows: opts.rows,
      recordTo: file,
    });
    const pid = await tmux.pid();
    await tmux.waitFor((screen) => screen.trim() !== '', { what: 'the TUI to draw', timeoutMs: 20_000 });
    if ((await tmux.exitStatus()) !== undefined) {
      console.error(
        `bench tui: "${opts.command}" exited at once; its screen:\n${(await tmux.lastScreen()).trimEnd()}`,
      );
      return undefined;
    }
    const recording = await followRecording(file, meter);

    const streamingTasks = early ?? (await submitStreamers());
    if (opts['keys-before']) {
      // The keys act on what is listed: the streaming tasks first, at the top of the list.
      if (!watched) {
        await tmux.waitFor(new RegExp(`Running \\(${streamers}\\)`), {
          what: `the ${streamers} streaming tasks to be listed`,
          timeoutMs: 20_000,
        });
      }
      await tmux.sendKeys(...opts['keys-before'].split(','));
    }
    const streaming = await phase(opts.streamSeconds, pid, recording, meter);
    // Idle begins when every streaming task has ended (the stand-in's own task stays, silent).
    const ended = streamingTasks.slice(watched ? 1 : 0);
    await inGroups(ended.length, (i) => waitForEnd(stack.client, ended[i].id));
    await recording.settle(1000);
    if ((await tmux.exitStatus()) !== undefined)
      throw new Error(`the TUI exited during streaming; its screen:\n${await tmux.lastScreen()}`);
    const idle = await phase(opts.idleSeconds, pid, recording, meter);

    const latencies = [];
    let missed = 0;
    const other = { j: 'k', k: 'j', Down: 'Up', Up: 'Down' }[opts.key] ?? opts.key;
    for (let i = 0; i < opts.presses; i++) {
      // Down then up, so the selection moves every time and stays near the top of 200 rows.
      const key = i % 2 === 0 ? opts.key : other;
      const arrived = recording.nextBytes(1000);
      const sentAt = performance.now();
      await tmux.sendKeys(key);
      const at = await arrived;
      if (at === undefined) missed++;
      else latencies.push(at - sentAt);
      await recording.settle(50);
    }
    const whole = meter.report();
    await recording.close();

    const results = {
      command: opts.command,
      size: `${opts.cols}x${opts.rows}`,
      streaming,
      idle,
      keyToFrame: {
        presses: opts.presses,
        missed,
        p50Ms: latencies.length ? percentile(latencies, 50) : undefined,
        p99Ms: latencies.length ? percentile(latencies, 99) : undefined,
      },
      terminal: {
        frames: whole.frames,
        maxFramesPerSecond: whole.maxFramesPerSecond ?? 0,
        fullClearsAfterFirst: whole.fullClearsAfterFirst,
        tallestFrame: whole.tallestFrame,
        framesAtLeastScreenHeight: whole.framesAtLeastScreenHeight,
        bytes: whole.bytes,
      },
      budgets,
    };
    return report(results, opts);
  } finally {
    await tmux?.kill();
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Calls `call(0..count-1)` ten at a time: the coordinator takes at most 16 calls in one batch. */
async function inGroups(count, call) {
  const results = [];
  for (let i = 0; i < count; i += 10)
    results.push(
      ...(await Promise.all(Array.from({ length: Math.min(10, count - i) }, (_, j) => call(i + j)))),
    );
  return results;
}

/** Resolves when the task has reached a final status, from its event stream (no polling). */
function waitForEnd(client, taskId) {
  return new Promise((resolve, reject) => {
    const subscription = client.events.tail.subscribe(
      { taskId },
      {
        onError: (error) => {
          subscription.unsubscribe();
          reject(error);
        },
        onComplete: resolve,
      },
    );
  });
}

/** The TUI's figures in the suite's shape: budgets, not a bare counterpart (none draws the same screen). */
function report(r, opts) {
  const k = r.keyToFrame;
  const t = r.terminal;
  const row = (label, nexa, unit, budget) => figure(label, { nexa, unit, budget });
  return {
    name: 'tui',
    title: `TUI: ${r.command} at ${r.size}; ${streamers} tasks × ${linesPerSecondEach} lines/s for ${opts.streamSeconds} s, idle ${opts.idleSeconds} s, ${k.presses} key presses with ${listed} tasks listed`,
    rows: [
      row('streaming: CPU (one core)', r.streaming.cpuPercent, '%', `≤ ${budgets.streamingCpu} %`),
      row('streaming: RSS (peak)', r.streaming.rssMb, 'MB', `≤ ${budgets.rssMb} MB`),
      row('streaming: terminal bytes/s', r.streaming.bytesPerSecond / 1024, 'KiB/s'),
      row('streaming: frames/s (mean)', r.streaming.framesPerSecond, '', `≤ ${budgets.fps}`),
      row('frames/s (most in any 1 s)', t.maxFramesPerSecond, '', `≤ ${budgets.fps}`),
      row('idle: CPU (one core)', r.idle.cpuPercent, '%', `≤ ${budgets.idleCpu} %`),
      row('idle: frames/s', r.idle.framesPerSecond, '', '0'),
      row('idle: RSS', r.idle.rssMb, 'MB', `≤ ${budgets.rssMb} MB`),
      row('key → frame p50', k.p50Ms ?? null, 'ms'),
      row('key → frame p99', k.p99Ms ?? null, 'ms', `≤ ${budgets.keyP99} ms`),
      row('key presses with no frame (1 s)', `${k.missed} of ${k.presses}`, '', '0'),
      row('full-screen clears after first frame', t.fullClearsAfterFirst, '', '0'),
      row('tallest frame (rows)', `${t.tallestFrame} of ${opts.rows}`, '', `< ${opts.rows}`),
    ],
    notes: ['raw: none; no bare program draws the same screen, so the budgets stand alone'],
    data: r,
  };
}
