import { spawnSync } from 'node:child_process';

/** Whether bubblewrap can make its namespaces here (it cannot in some containers). */
export const bwrapWorks =
  spawnSync('bwrap', ['--die-with-parent', '--unshare-all', '--ro-bind', '/', '/', 'true']).status === 0;

/** Whether a Docker engine answers and the test image (scripts/testImage.sh) is built or can be. */
export function dockerWorks(): boolean {
  if (spawnSync('docker', ['info']).status !== 0) return false;
  return spawnSync('sh', [new URL('../../../scripts/testImage.sh', import.meta.url).pathname]).status === 0;
}
