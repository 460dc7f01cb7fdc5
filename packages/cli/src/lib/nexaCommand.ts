import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The argv a worker runs this `nexa` with, inside a task's sandbox (tasks get
 * it as `nexa` on their PATH, agents as `nexa mcp`): this node and this
 * installation's bin/run.js (its real path, so the worker can mount the
 * installation it belongs to read-only).
 */
export function nexaCommand(): string[] {
  const runJs = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
  return [process.execPath, realpathSync(runJs)];
}
