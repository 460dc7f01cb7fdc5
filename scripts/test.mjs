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
const failed = summary.numFailedTests + (summary.numRuntimeErrorTestSuites ?? 0);
const skipped = summary.numPendingTests + summary.numTodoTests;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : code);
