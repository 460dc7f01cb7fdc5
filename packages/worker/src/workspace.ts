import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { VAULTS_DIR, vaultOf } from './git/vault.js';

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
      mkdirSync(root, { recursive: true, mode: 0o700 }); // first task: make the root, for this user only
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

/**
 * Removes a working copy and its vault. rm never follows a symlink (it unlinks
 * the link), so nothing a task linked to outside its copy is touched.
 */
export async function removeWorkspace(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  await rm(vaultOf(dir), { recursive: true, force: true, maxRetries: 3 });
  await rm(`${dir}.copy.json`, { force: true });
}

/**
 * Removes a finished task's working copy after `keepMs` (0: at once), so a
 * person can still look at it for a while; its branch, if any, stays.
 */
export async function removeWorkspaceLater(dir: string, keepMs: number): Promise<void> {
  if (keepMs <= 0) return removeWorkspace(dir);
  setTimeout(() => void removeWorkspace(dir), keepMs).unref();
}

/** At start: working copies (and vaults) older than `keepMs` (agents' copies: `keepAgentMs`) left by an earlier run of this worker go. */
export async function pruneWorkspaces(root: string, keepMs: number, keepAgentMs = keepMs): Promise<void> {
  const now = Date.now();
  const old = async (path: string, keep = keepMs) => {
    const info = await stat(path).catch(() => undefined);
    return info !== undefined && now - info.mtimeMs > keep;
  };
  // An agent's copy (it has an agent home) holds the session `nexa continue` resumes.
  const keepFor = (path: string) => (existsSync(join(path, '.nexa', 'home')) ? keepAgentMs : keepMs);
  const entries = await readdir(root).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((name) => name !== VAULTS_DIR && !name.endsWith('.copy.json')) // goes with its copy
      .map(async (name) => {
        const path = join(root, name);
        if (await old(path, keepFor(path))) await removeWorkspace(path);
      }),
  );
  // A vault can outlive its copy (a crash between the two removals): it goes on its own age.
  const vaults = join(root, VAULTS_DIR);
  const vaultNames = await readdir(vaults).catch(() => [] as string[]);
  await Promise.all(
    vaultNames.map(async (name) => {
      if (await old(join(vaults, name))) await rm(join(vaults, name), { recursive: true, force: true });
    }),
  );
}
