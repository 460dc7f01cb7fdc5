// Policy glob matching under attack: a crafted pattern (`*a*a*...*b`) against
// commands of growing length. Nexa's matcher is beside a plain linear scan of the
// same text (String.includes) measured in the same run, so the ratio shows it stays
// linear; the backtracking RegExp it replaced is timed on short texts only, where
// it already grows exponentially (on a 400-character command it took minutes).
import { performance } from 'node:perf_hooks';
import { globMatches } from '@nexa/core';
import { printTable } from './stats.mjs';

const quick = process.argv.includes('--quick');
// Trailing `*`: the suffix check passes, so every piece is searched through the whole text.
const patterns = ['*a*a*a*a*a*a*a*b*', '*a?a?a?a*b?*'];

/** Median microseconds of `fn` over enough runs to take at least ~50 ms. */
function time(fn) {
  const samples = [];
  const until = performance.now() + (quick ? 20 : 50);
  while (performance.now() < until || samples.length < 5) {
    const started = performance.now();
    fn();
    samples.push((performance.now() - started) * 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

function oldRegExp(glob) {
  const source = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's');
}

export async function benchPolicy() {
  for (const pattern of patterns) {
    const rows = [];
    for (const length of [400, 4_000, 40_000, 400_000]) {
      const text = 'a'.repeat(length);
      const nexa = time(() => globMatches(pattern, text));
      const scan = time(() => text.includes('b'));
      rows.push([length, `${nexa.toFixed(1)} µs`, `${scan.toFixed(1)} µs`, `${(nexa / scan).toFixed(1)}×`]);
    }
    printTable(
      `policy glob ${pattern} against "aaa…" (no match)`,
      ['chars', 'nexa', 'bare scan', 'ratio'],
      rows,
    );
  }

  const pattern = patterns[0];
  const regex = oldRegExp(pattern);
  const old = [];
  for (const length of [16, 20, 24, 28]) {
    const text = 'a'.repeat(length);
    old.push([
      length,
      `${time(() => regex.test(text)).toFixed(0)} µs`,
      `${time(() => globMatches(pattern, text)).toFixed(2)} µs`,
    ]);
  }
  printTable(
    'the backtracking RegExp it replaced, on short texts only',
    ['chars', 'old RegExp', 'nexa'],
    old,
  );
}
