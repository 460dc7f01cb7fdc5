import { closeSync, fchmodSync, lstatSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The worker's own corner of a working copy (`.nexa/`: an agent's home, the
 * relay's socket, the `nexa` wrapper) is made inside a directory a task
 * controls: a repository may commit `.nexa` as a link, and a continued task
 * runs in what its last attempt left. The worker, running on the host, must
 * never write through such a link, so everything here is made afresh where a
 * link or a file stands in its way: the link goes, never its target.
 */

/** `relativePath` under `workdir` as real directories, each link or file in the way removed first. */
export function ownDir(workdir: string, relativePath: string): string {
  let dir = workdir;
  for (const part of relativePath.split('/').filter(Boolean)) {
    dir = join(dir, part);
    const found = lstatOrNothing(dir);
    if (found?.isDirectory()) continue;
    if (found) rmSync(dir, { force: true });
    mkdirSync(dir);
  }
  return dir;
}

/** Writes a new file at `path` (its directory made with `ownDir`): whatever stood there goes first. */
export function writeOwnFile(path: string, content: string, mode: number): void {
  rmSync(path, { force: true, recursive: true });
  // `wx`: create, and fail rather than follow anything that appeared there since; the mode set
  // on the open file, so the umask does not narrow it.
  const fd = openSync(path, 'wx', mode);
  try {
    fchmodSync(fd, mode);
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

function lstatOrNothing(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
