import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** A task's working copy. For now an empty directory per attempt; git worktrees come with sandboxes. */
export async function createWorkspace(root: string, taskId: string, attempt: number): Promise<string> {
  const dir = join(root, `${taskId}-${attempt}`);
  await mkdir(root, { recursive: true });
  try {
    await mkdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Left over from a crash of this worker: start the attempt from an empty directory again.
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
  }
  return dir;
}

export async function removeWorkspace(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
