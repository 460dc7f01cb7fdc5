// `pnpm bench [name ...] [--quick] [--json] [--out FILE] [flags of the chosen benches]`: Nexa's
// speed budgets, each measured side by side with the bare operation in the same run (this machine
// has 2 cores: only a comparison made at the same moment means anything). Needs a build
// (`pnpm build`). Every bench returns the shape in result.mjs; --json gathers them with the
// machine's figures into one document (stdout, or FILE) that plot.mjs draws.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { NexaError } from '@nexa/core';
import { approvalsFlags, benchApprovals } from './approvals.mjs';
import { benchDispatch, dispatchFlags } from './dispatch.mjs';
import { benchEgress, egressFlags } from './egress.mjs';
import { benchFailover, failoverFlags } from './failover.mjs';
import { benchFleet, fleetFlags } from './fleet.mjs';
import { benchMessages, messagesFlags } from './messages.mjs';
import { benchOutput, outputFlags } from './output.mjs';
import { benchPolicy, policyFlags } from './policy.mjs';
import { printResult } from './result.mjs';
import { benchSandboxes, sandboxesFlags } from './sandboxes.mjs';
import { benchStartup, startupFlags } from './startup.mjs';
import { benchStore, storeFlags } from './store.mjs';
import { benchStream, streamFlags } from './stream.mjs';
import { benchTui, tuiFlags } from './tui.mjs';

// The suite, in the order `pnpm bench` runs it. A bench is `run(options) → result` (options: the
// suite's --quick plus its own flags, parsed) and `flags`, its own parseArgs options.
const benches = {
  startup: { run: benchStartup, flags: startupFlags },
  dispatch: { run: benchDispatch, flags: dispatchFlags },
  stream: { run: benchStream, flags: streamFlags },
  store: { run: benchStore, flags: storeFlags },
  output: { run: benchOutput, flags: outputFlags },
  sandboxes: { run: benchSandboxes, flags: sandboxesFlags },
  approvals: { run: benchApprovals, flags: approvalsFlags },
  messages: { run: benchMessages, flags: messagesFlags },
  policy: { run: benchPolicy, flags: policyFlags },
  egress: { run: benchEgress, flags: egressFlags },
  failover: { run: benchFailover, flags: failoverFlags },
  tui: { run: benchTui, flags: tuiFlags },
  fleet: { run: benchFleet, flags: fleetFlags },
};

const suiteFlags = {
  quick: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
};

function usage() {
  const own = Object.entries(benches)
    .filter(([, bench]) => Object.keys(bench.flags).length > 0)
    .map(
      ([name, bench]) =>
        `${name}: ${Object.keys(bench.flags)
          .map((flag) => `--${flag}`)
          .join(' ')}`,
    );
  return [
    'usage: pnpm bench [name ...] [--quick] [--json] [--out FILE] [bench flags]',
    `benches: ${Object.keys(benches).join(', ')} (all when none is named)`,
    `bench flags: ${own.join('; ')}`,
  ].join('\n');
}

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}

function parse(argv) {
  // Parsed leniently first, so a flag's value (`--out FILE`) is not taken for a bench name.
  const { positionals } = parseArgs({
    args: argv,
    options: allFlags(),
    allowPositionals: true,
    strict: false,
  });
  const unknown = positionals.find((name) => !(name in benches));
  if (unknown) fail(`unknown bench "${unknown}"; choose from: ${Object.keys(benches).join(', ')}`);
  const chosen = positionals.length ? positionals : Object.keys(benches);
  const options = { ...suiteFlags };
  for (const name of chosen) Object.assign(options, benches[name].flags);
  try {
    const { values } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { chosen, values };
  } catch (error) {
    const flag = /'(-[^' ]*)/.exec(error.message)?.[1];
    const problem =
      error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `unknown flag ${flag}` : error.message.split('.')[0];
    const known = Object.keys(options).map((name) => `--${name}`);
    fail(`${problem}; the flags of ${chosen.join(', ')}: ${known.join(' ')}`);
  }
}

function allFlags() {
  return Object.assign({ ...suiteFlags }, ...Object.values(benches).map((bench) => bench.flags));
}

function machine() {
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {} // not a checkout: the figures stand without it
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    commit,
  };
}

const { chosen, values } = parse(process.argv.slice(2));
if (values.help) {
  console.log(usage());
  process.exit(0);
}
// With --json on stdout, stdout carries only the document: the tables go to stderr.
const jsonToStdout = values.json && !values.out;
if (jsonToStdout) console.log = console.error;

const startedAt = new Date();
const loadAtStart = loadavg();
const results = [];
let failed = 0;
for (const name of chosen) {
  const bench = benches[name];
  const options = { quick: values.quick };
  for (const flag of Object.keys(bench.flags)) options[flag] = values[flag];
  const started = performance.now();
  try {
    const result = await bench.run(options);
    if (!result?.rows?.length) throw new Error('it produced no result');
    // A figure it could not measure, or a check that failed (lines lost, repeated, out of
    // order), fails the bench: CI asserts no timing, but every figure must exist and hold.
    const missing = result.rows.find(
      (row) => row.nexa === null || row.nexa === undefined || Number.isNaN(row.nexa),
    );
    if (missing) throw new Error(`it measured nothing for "${missing.label}"`);
    const broken = result.rows.find((row) => row.nexa === 'NO');
    if (broken) throw new Error(`"${broken.label}" did not hold`);
    result.seconds = (performance.now() - started) / 1000;
    printResult(result);
    results.push(result);
  } catch (error) {
    if (error instanceof NexaError && error.code === 'invalid_input') fail(`${name}: ${error.message}`);
    failed++;
    console.error(`\nbench ${name} failed: ${error?.stack ?? error}`);
    results.push({ name, error: String(error?.message ?? error) });
  }
}

const document = {
  date: startedAt.toISOString(),
  quick: values.quick,
  machine: { ...machine(), loadAverage: { start: loadAtStart, end: loadavg() } },
  seconds: (Date.now() - startedAt.getTime()) / 1000,
  benches: results,
};
console.error(
  `\n${chosen.length - failed} of ${chosen.length} benches ran in ${document.seconds.toFixed(0)} s; load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')} at start, ${document.machine.loadAverage.end.map((l) => l.toFixed(2)).join(' ')} at end`,
);
if (values.out) await writeFile(values.out, `${JSON.stringify(document, null, 2)}\n`);
else if (values.json) process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
// A bench that left a handle open must not hang CI: every bench closed what it started.
process.exit(failed ? 1 : 0);
