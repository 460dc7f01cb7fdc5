// `node scripts/bench/tables.mjs RESULTS.json`: the suite's --json results as Markdown tables (one
// per bench, with the machine and its load average), for docs/benchmarks.md.
import { readFile } from 'node:fs/promises';
import { showValue } from './result.mjs';

const file = process.argv[2];
if (!file) {
  console.error(
    'usage: node scripts/bench/tables.mjs RESULTS.json (from `pnpm bench --json --out RESULTS.json`)',
  );
  process.exit(2);
}
let results;
try {
  results = JSON.parse(await readFile(file, 'utf8'));
} catch (error) {
  console.error(`tables: cannot read ${file}: ${error.message}`);
  process.exit(2);
}
const { machine } = results;
const load = (values) => values.map((v) => v.toFixed(2)).join(' ');
console.log(
  `Run of ${results.date}${results.quick ? ' (--quick)' : ''} at ${machine.commit ?? 'an unknown commit'}: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}; load average ${load(machine.loadAverage.start)} at start, ${load(machine.loadAverage.end)} at end.\n`,
);
for (const bench of results.benches) {
  if (!bench.rows) {
    console.log(`### ${bench.name}\n\nfailed: ${bench.error}\n`);
    continue;
  }
  console.log(`### ${bench.name}\n\n${bench.title}\n`);
  console.log('| figure | nexa | raw | nexa/raw | budget |\n|---|--:|--:|--:|---|');
  for (const row of bench.rows)
    console.log(
      `| ${row.label} | ${showValue(row.nexa, row.unit)} | ${showValue(row.raw, row.unit)} | ${row.ratio === null ? '-' : `${row.ratio.toFixed(2)}×`} | ${row.budget || '-'} |`,
    );
  for (const note of bench.notes ?? []) console.log(`\n${note}`);
  console.log('');
}
