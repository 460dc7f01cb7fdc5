import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fchmodSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import type { Server } from 'node:net';
import { dirname, join } from 'node:path';

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

/**
 * Listens on a unix socket at `path` (its directory made with `ownDir`)
 * without ever removing a file through a link the task made later: Node
 * removes a socket's file by its path when its server closes, and by then the
 * task may have put a link where `.nexa` was. So the server listens under a
 * random name (no longer than the socket's own, for the path limit) that is
 * renamed into place before the task starts; Node's removal on close finds
 * that name nowhere. The returned `remove` takes the socket away only while
 * its directory is still the one it was made in.
 */
export async function listenInCorner(server: Server, path: string, mode: number): Promise<() => void> {
  rmSync(path, { force: true, recursive: true });
  const dir = realpathSync(dirname(path));
  const hidden = join(dirname(path), `.${randomBytes(3).toString('hex')}`);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(hidden, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(hidden, mode);
  renameSync(hidden, path);
  return () => {
    if (realpathOrNothing(dirname(path)) === dir) rmSync(path, { force: true });
  };
}

function realpathOrNothing(path: string) {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function lstatOrNothing(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
