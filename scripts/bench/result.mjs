// The one shape every bench returns, so run.mjs, plot.mjs and docs/benchmarks.md read them alike:
//
//   { name, title, rows: [{ label, nexa, raw, ratio, unit, better, budget }], notes: [], data: {} }
//
// A row is one figure of Nexa beside the raw operation it wraps, measured in the same run; `ratio`
// is nexa / raw (so for a throughput, higher is better; for a latency, lower). `raw` is null where
// nothing bare compares (a failover time, a CPU share); `budget` says in words what DESIGN.md asks.
// `data` holds whatever a plot needs (all samples, per-step figures).
import { printTable } from './stats.mjs';

/** One row of a result. `better` is 'lower' (latency, bytes) or 'higher' (throughput). */
export function figure(label, { nexa, raw = null, unit, better = 'lower', budget = '' }) {
  const ratio = typeof nexa === 'number' && typeof raw === 'number' && raw !== 0 ? nexa / raw : null;
  return { label, nexa, raw, ratio, unit, better, budget };
}

export function showValue(value, unit) {
  if (value === null || value === undefined) return '-';
  if (typeof value !== 'number') return String(value);
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const number = value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return unit ? `${number} ${unit}` : number;
}

export function printResult(result) {
  printTable(
    result.title,
    ['figure', 'nexa', 'raw', 'nexa/raw', 'budget'],
    result.rows.map((row) => [
      row.label,
      showValue(row.nexa, row.unit),
      showValue(row.raw, row.unit),
      row.ratio === null ? '-' : `${row.ratio.toFixed(2)}×`,
      row.budget || '-',
    ]),
  );
  for (const note of result.notes ?? []) console.log(note);
}
