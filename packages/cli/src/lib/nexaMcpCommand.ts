import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The argv a worker runs `nexa mcp` with, inside a task's sandbox: this node
 * and this installation's bin/run.js (its real path, so the worker can mount
 * the installation it belongs to read-only).
 */
export function nexaMcpCommand(): string[] {
  const runJs = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
  return [process.execPath, realpathSync(runJs), 'mcp'];
}
