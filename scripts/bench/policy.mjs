// Policy glob matching under attack: a crafted pattern (`*a*a*...*b`) against
// commands of growing length. Nexa's matcher is beside a plain linear scan of the
// same text (String.includes) measured in the same run, so the ratio shows it stays
// linear; the backtracking RegExp it replaced is timed on short texts only, where
// it already grows exponentially (on a 400-character command it took minutes).
import { performance } from 'node:perf_hooks';
import { globMatches } from '@nexa/core';
import { figure } from './result.mjs';

export const policyFlags = {};
// Trailing `*`: the suffix check passes, so every piece is searched through the whole text.
const patterns = ['*a*a*a*a*a*a*a*b*', '*a?a?a?a*b?*'];

/** Median microseconds of `fn` over enough runs to take at least ~50 ms. */
function time(fn, quick) {
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

export async function benchPolicy({ quick }) {
  const rows = [];
  for (const pattern of patterns) {
    for (const length of [400, 4_000, 40_000, 400_000]) {
      const text = 'a'.repeat(length);
      const nexa = time(() => globMatches(pattern, text), quick);
      const scan = time(() => text.includes('b'), quick);
      rows.push(
        figure(`${pattern} on ${length.toLocaleString('en-US')} chars`, { nexa, raw: scan, unit: 'µs' }),
      );
    }
  }

  // The backtracking RegExp it replaced, on short texts only: already exponential there.
  const pattern = patterns[0];
  const regex = oldRegExp(pattern);
  const old = [];
  for (const length of [16, 20, 24, 28]) {
    const text = 'a'.repeat(length);
    old.push({
      chars: length,
      oldRegExpMicros: time(() => regex.test(text), quick),
      nexaMicros: time(() => globMatches(pattern, text), quick),
    });
  }
  return {
    name: 'policy',
    title:
      'Policy glob matching on a crafted pattern against "aaa…" (no match), beside a plain linear scan (String.includes) of the same text',
    rows,
    notes: old.map(
      (o) =>
        `the backtracking RegExp it replaced, ${o.chars} chars: ${o.oldRegExpMicros.toFixed(0)} µs (nexa ${o.nexaMicros.toFixed(2)} µs)`,
    ),
    data: { old },
  };
}
