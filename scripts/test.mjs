// Runs every test (unit, router and e2e) with vitest and ends with the plain
// line "N passed, N failed" that CI reads. Extra arguments go to vitest.
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const report = `${root}test-results/vitest.json`;
await mkdir(`${root}test-results`, { recursive: true });
await rm(report, { force: true });

const vitest = spawn(
  'pnpm',
  [
    'exec',
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit' },
);
const code = await new Promise((resolve) => vitest.on('close', (exit) => resolve(exit ?? 1)));

let summary;
try {
  summary = JSON.parse(await readFile(report, 'utf8'));
} catch {
  console.log('\n0 passed, 1 failed (vitest wrote no report)');
  process.exit(code || 1);
}
const passed = summary.numPassedTests;
// An error vitest caught outside any test (an unhandled rejection, say) fails the run without
// failing a test; it counts here as one failure, so the line never says 0 failed for a failed run.
const stray = code !== 0 && summary.numFailedTests === 0 && !summary.numRuntimeErrorTestSuites ? 1 : 0;
const failed = summary.numFailedTests + (summary.numRuntimeErrorTestSuites ?? 0) + stray;
const skipped = summary.numPendingTests + summary.numTodoTests;
const why = stray ? ' (an error outside the tests: see "Unhandled Errors" above)' : '';
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${why}`);
process.exit(failed > 0 || passed === 0 ? 1 : code);
