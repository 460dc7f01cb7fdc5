import { mkdirSync, renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
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
