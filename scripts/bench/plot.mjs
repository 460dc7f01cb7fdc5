// `node scripts/bench/plot.mjs RESULTS.json [--to DIR]`: draws the suite's --json results as SVG
// (hand-written, no dependencies) into docs/bench/ by default:
//   dispatch.svg  submit → first byte, the distribution (CDF) of Nexa beside a bare spawn
//   stream.svg    lines per second against tasks streaming at once, Nexa beside a bare ws relay
// A bench missing from the results (not run) is skipped, saying so.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const colours = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700'];
const size = { width: 720, height: 420, left: 80, right: 24, top: 48, bottom: 64 };

const xmlText = (text) => String(text).replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** About five round tick values covering [low, high]. */
function linearTicks(low, high) {
  const step = 10 ** Math.floor(Math.log10((high - low) / 5 || 1));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (high - low) / s <= 6) ?? step * 10;
  const ticks = [];
  for (let t = Math.ceil(low / nice) * nice; t <= high + 1e-9; t += nice) ticks.push(t);
  return ticks;
}

const powersOfTen = (low, high) => {
  const ticks = [];
  for (let e = Math.floor(Math.log10(low)); e <= Math.ceil(Math.log10(high)); e++) ticks.push(10 ** e);
  return ticks;
};

function axis(kind, low, high, from, to) {
  if (kind === 'log') {
    const [a, b] = [Math.log10(low), Math.log10(high)];
    return { at: (v) => from + ((Math.log10(v) - a) / (b - a)) * (to - from), ticks: powersOfTen(low, high) };
  }
  return { at: (v) => from + ((v - low) / (high - low)) * (to - from), ticks: linearTicks(low, high) };
}

const label = (v) =>
  v >= 1e6
    ? `${(v / 1e6).toLocaleString('en-US')}M`
    : v >= 1000
      ? `${(v / 1000).toLocaleString('en-US')}k`
      : v.toLocaleString('en-US');

/** A line chart: series of [x, y] points, each drawn as a line (and dots when `dots`). */
function chart({ title, subtitle, x, y, series, dots = false, legend = 'bottom-right' }) {
  const all = series.flatMap((s) => s.points);
  const range = (pick, given) => given ?? [Math.min(...all.map(pick)), Math.max(...all.map(pick))];
  const [xLow, xHigh] = range((p) => p[0], x.range);
  const [yLow, yHigh] = range((p) => p[1], y.range);
  const xs = axis(x.scale, xLow, xHigh, size.left, size.width - size.right);
  const ys = axis(y.scale, yLow, yHigh, size.height - size.bottom, size.top);
  const inside = (t, low, high) => t >= low - 1e-9 && t <= high + 1e-9;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}" viewBox="0 0 ${size.width} ${size.height}" font-family="sans-serif" font-size="12">`,
    `<title>${xmlText(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${size.left}" y="20" font-size="15" font-weight="bold">${xmlText(title)}</text>`,
    `<text x="${size.left}" y="38" fill="#57606a">${xmlText(subtitle)}</text>`,
  ];
  for (const t of xs.ticks.filter((t) => inside(t, xLow, xHigh))) {
    const px = xs.at(t).toFixed(1);
    parts.push(
      `<line x1="${px}" x2="${px}" y1="${size.top}" y2="${size.height - size.bottom}" stroke="#eaeef2"/>`,
      `<text x="${px}" y="${size.height - size.bottom + 16}" text-anchor="middle">${label(t)}</text>`,
    );
  }
  for (const t of ys.ticks.filter((t) => inside(t, yLow, yHigh))) {
    const py = ys.at(t).toFixed(1);
    parts.push(
      `<line x1="${size.left}" x2="${size.width - size.right}" y1="${py}" y2="${py}" stroke="#eaeef2"/>`,
      `<text x="${size.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${label(t)}</text>`,
    );
  }
  parts.push(
    `<rect x="${size.left}" y="${size.top}" width="${size.width - size.left - size.right}" height="${size.height - size.top - size.bottom}" fill="none" stroke="#8c959f"/>`,
    `<text x="${(size.left + size.width - size.right) / 2}" y="${size.height - 24}" text-anchor="middle">${xmlText(x.label)}</text>`,
    `<text transform="translate(18 ${(size.top + size.height - size.bottom) / 2}) rotate(-90)" text-anchor="middle">${xmlText(y.label)}</text>`,
  );
  series.forEach((s, i) => {
    const colour = colours[i % colours.length];
    const points = s.points.map(([px, py]) => `${xs.at(px).toFixed(1)},${ys.at(py).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(' ')}"/>`);
    if (dots)
      for (const point of points) {
        const [cx, cy] = point.split(',');
        parts.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${colour}"/>`);
      }
    // In a corner the lines leave empty: a CDF's bottom right, a falling curve's bottom left.
    const legendX = legend === 'bottom-left' ? size.left + 16 : size.width - size.right - 190;
    const legendY = size.height - size.bottom - 16 - (series.length - 1 - i) * 18;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 24}" y1="${legendY}" y2="${legendY}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${legendX + 30}" y="${legendY}" dominant-baseline="middle">${xmlText(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** Each sample set as a CDF, cut at the 99.5th percentile of all so one outlier does not flatten it. */
function dispatchChart(result, machine) {
  const samples = Object.entries(result.data.samples);
  const all = samples.flatMap(([, values]) => values).sort((a, b) => a - b);
  const cut = all[Math.floor(all.length * 0.995)] ?? all.at(-1);
  const series = samples.map(([name, values]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      name,
      points: sorted.filter((v) => v <= cut).map((v, i) => [v, (i + 1) / sorted.length]),
    };
  });
  return chart({
    title: 'Dispatch: submit → first output byte (idle worker)',
    subtitle: `${result.data.runs} runs each, interleaved; ${machine}`,
    x: { label: 'milliseconds (cut at the 99.5th percentile)', scale: 'linear', range: [0, cut] },
    y: { label: 'fraction of runs at or below', scale: 'linear', range: [0, 1] },
    series,
  });
}

function streamChart(result, machine) {
  const steps = result.data.steps;
  const rate = (run) => run.lines / run.seconds;
  const series = [
    { name: 'nexa (persisted, tailed)', points: steps.map((s) => [s.tasks, rate(s.nexa)]) },
    { name: 'bare ws relay', points: steps.map((s) => [s.tasks, rate(s.raw)]) },
  ];
  const values = series.flatMap((s) => s.points.map((p) => p[1]));
  const tasks = steps.map((s) => s.tasks);
  return chart({
    title: 'Stream: lines per second end to end',
    subtitle: `tasks printing at once; ${machine}`,
    x: {
      label: 'tasks streaming at once',
      scale: 'log',
      range: [Math.min(...tasks), Math.max(...tasks, Math.min(...tasks) * 10)],
    },
    y: {
      label: 'lines per second',
      scale: 'log',
      range: [
        10 ** Math.floor(Math.log10(Math.min(...values))),
        10 ** Math.ceil(Math.log10(Math.max(...values))),
      ],
    },
    series,
    dots: true,
    legend: 'bottom-left',
  });
}

const plots = { dispatch: dispatchChart, stream: streamChart };

const { values, positionals } = (() => {
  try {
    return parseArgs({ options: { to: { type: 'string' } }, allowPositionals: true });
  } catch (error) {
    console.error(`plot: ${error.message.split('\n')[0]}`);
    process.exit(2);
  }
})();
if (positionals.length !== 1) {
  console.error(
    'usage: node scripts/bench/plot.mjs RESULTS.json [--to DIR] (from `pnpm bench --json --out RESULTS.json`)',
  );
  process.exit(2);
}
let results;
try {
  results = JSON.parse(await readFile(positionals[0], 'utf8'));
} catch (error) {
  console.error(`plot: cannot read ${positionals[0]}: ${error.message}`);
  process.exit(2);
}
if (!Array.isArray(results.benches)) {
  console.error(`plot: ${positionals[0]} is not a \`pnpm bench --json\` document (no "benches")`);
  process.exit(2);
}
const to = values.to ?? new URL('../../docs/bench/', import.meta.url).pathname;
const m = results.machine ?? {};
const machine = `${m.cpus ?? '?'} cores, load ${m.loadAverage?.start?.[0]?.toFixed(2) ?? '?'}, ${results.date?.slice(0, 10) ?? ''}${results.quick ? ' (quick)' : ''}`;
await mkdir(to, { recursive: true });
for (const [name, draw] of Object.entries(plots)) {
  const result = results.benches.find((bench) => bench.name === name && bench.rows);
  if (!result) {
    console.error(`plot: no ${name} results in ${positionals[0]}, ${name}.svg not drawn`);
    continue;
  }
  const file = join(to, `${name}.svg`);
  await writeFile(file, draw(result, machine));
  console.log(`wrote ${file}`);
}
