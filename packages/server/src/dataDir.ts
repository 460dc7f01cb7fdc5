import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { NexaError } from '@nexa/core';

/**
 * Makes the data directory (0700) or tightens an existing one to 0700: it
 * holds the signing key and a database full of task output. An existing
 * directory is changed only when it is plainly Nexa's (empty, or holding
 * our signing key) and not a shared place (world-writable like /tmp, or a
 * home directory): `--data-dir /tmp` must not lock everyone out of /tmp.
 * The files inside are 0600 whatever the directory (see db/open.ts).
 */
export async function preparePrivateDataDir(dataDir: string, log: (line: string) => void): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const { mode } = await stat(dataDir);
    if ((mode & 0o077) === 0 || (mode & 0o1002) !== 0) return; // private already, or shared
    if (resolve(dataDir) === resolve(homedir())) return;
    const entries = await readdir(dataDir);
    if (entries.length > 0 && !entries.includes('signing.key')) return;
    await chmod(dataDir, 0o700);
    log(`nexa: made ${dataDir} private (0700): it holds the signing key and the database`);
  } catch (error) {
    throw new NexaError(
      'config',
      `cannot use ${dataDir} as the data directory (${(error as NodeJS.ErrnoException).code})`,
      { hint: 'pass a writable directory with --data-dir or NEXA_DATA_DIR', cause: error },
    );
  }
}
