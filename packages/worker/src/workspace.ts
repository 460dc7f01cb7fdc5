import { mkdirSync, renameSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A task's working copy. For now an empty directory per attempt; git worktrees
 * come with sandboxes. Made synchronously: it is on the dispatch path, and an
 * mkdir takes microseconds while a trip through the thread pool takes a millisecond.
 */
export function createWorkspace(root: string, taskId: string, attempt: number): string {
  const dir = join(root, `${taskId}-${attempt}`);
  try {
    mkdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      mkdirSync(root, { recursive: true }); // first task: make the root
      mkdirSync(dir);
    } else if (code === 'EEXIST') {
      // Left over from a crash of this worker: the new attempt starts from an empty directory.
      return emptyAgain(dir);
    } else {
      throw error;
    }
  }
  return dir;
}

function emptyAgain(dir: string): string {
  const stale = `${dir}.stale-${Date.now()}`;
  // Move it aside at once; delete it in the background.
  renameSync(dir, stale);
  mkdirSync(dir);
  void rm(stale, { recursive: true, force: true });
  return dir;
}

export async function removeWorkspace(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Removes a finished task's working copy after `keepMs` (0: at once), so a
 * person can still look at it for a while; its branch, if any, stays.
 */
export async function removeWorkspaceLater(dir: string, keepMs: number): Promise<void> {
  if (keepMs <= 0) return removeWorkspace(dir);
  setTimeout(() => void removeWorkspace(dir), keepMs).unref();
}

/** At start: working copies older than `keepMs` left by an earlier run of this worker go. */
export async function pruneWorkspaces(root: string, keepMs: number): Promise<void> {
  const now = Date.now();
  const entries = await readdir(root).catch(() => [] as string[]);
  await Promise.all(
    entries.map(async (name) => {
      const dir = join(root, name);
      const info = await stat(dir).catch(() => undefined);
      if (info && now - info.mtimeMs > keepMs) await removeWorkspace(dir);
    }),
  );
}
