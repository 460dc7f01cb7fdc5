import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TaskEventBody } from '@nexa/core';
import { createWorkspace } from './workspace.js';

const run = promisify(execFile);
const PATCH_LIMIT = 1024 * 1024;

/** A task's working copy, and where it came from when it is a repository. */
export interface WorkingCopy {
  dir: string;
  repo?: { source: string; local: boolean; base: string; branch: string };
}

async function git(args: string[], cwd?: string): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
  return stdout;
}

/**
 * An empty directory, or a repository to work on: a clone (hardlinked when
 * local) on a new branch `nexa/<task-id>`. A clone, not a worktree: a worktree
 * shares the repository's .git, which a walled sandbox would either not see or
 * could rewrite; the clone keeps the task inside its own directory.
 */
export async function prepareWorkingCopy(
  root: string,
  taskId: string,
  attempt: number,
  repo: string | null,
): Promise<WorkingCopy> {
  const dir = createWorkspace(root, taskId, attempt);
  if (!repo) return { dir };
  const local = existsSync(repo);
  try {
    await git(['clone', '--quiet', ...(local ? ['--local'] : []), '--', repo, dir]);
    const base = (await git(['rev-parse', 'HEAD'], dir)).trim();
    const branch = `nexa/${taskId}`;
    await git(['checkout', '--quiet', '-B', branch], dir);
    // A coding agent's home (.nexa/home) lives in the copy; it is not part of the task's changes.
    await mkdir(join(dir, '.git', 'info'), { recursive: true });
    await appendFile(join(dir, '.git', 'info', 'exclude'), '\n/.nexa/\n');
    return { dir, repo: { source: repo, local, base, branch } };
  } catch (error) {
    const detail = String((error as { stderr?: string }).stderr ?? (error as Error).message)
      .trim()
      .split('\n')
      .at(-1);
    throw new Error(`could not check out ${repo}: ${detail}`);
  }
}

/**
 * What the task changed against its base, as an artifact event; the worker
 * commits nothing itself. A local repository gets the task's branch back
 * (with whatever the task committed on it), so it outlives the working copy.
 */
export async function recordChanges(copy: WorkingCopy): Promise<TaskEventBody | undefined> {
  if (!copy.repo) return undefined;
  const { dir, repo } = copy;
  await git(['add', '--all', '--intent-to-add'], dir); // untracked files count as changes too
  const diff = ['diff', repo.base, '--'];
  const [stat, shortstat, patch] = await Promise.all([
    git([...diff.slice(0, 2), '--stat', '--'], dir),
    git([...diff.slice(0, 2), '--shortstat', '--'], dir),
    git(diff, dir),
  ]);
  const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(shortstat)?.[1] ?? 0);
  if (repo.local) await git(['fetch', '--quiet', dir, `+${repo.branch}:${repo.branch}`], repo.source);
  return {
    kind: 'artifact',
    branch: repo.branch,
    base: repo.base,
    files: count('files? changed'),
    insertions: count('insertions?\\(\\+\\)'),
    deletions: count('deletions?\\(-\\)'),
    stat,
    patch: patch.length > PATCH_LIMIT ? patch.slice(0, PATCH_LIMIT) : patch,
    truncated: patch.length > PATCH_LIMIT,
  };
}
