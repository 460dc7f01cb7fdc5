import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { appendFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NexaError, type TaskEventBody } from '@nexa/core';
import { hostGit } from './git/hostGit.js';
import { readTaskTip } from './git/taskTip.js';
import { acceptTaskTip, createVault, fetchBranchBack, stageTaskObjects, vaultOf } from './git/vault.js';
import { createWorkspace } from './workspace.js';

const PATCH_LIMIT = 1024 * 1024;
/** Recording reads files the task left; a huge or pathological tree must not hold the task forever. */
const RECORD_TIMEOUT_MS = 5 * 60_000;

/** A task's working copy, and where it came from when it is a repository. */
export interface WorkingCopy {
  dir: string;
  repo?: { source: string; local: boolean; base: string; branch: string; vault: string };
}

/**
 * An empty directory, or a repository to work on: a clone on a new branch
 * `nexa/<task-id>`. A clone, not a worktree: a worktree shares the repository's
 * .git. The copy is cloned from the task's vault over the pack protocol, never
 * with --local: hardlinked object files would let the task rewrite the user's history.
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
  const branch = `nexa/${taskId}`;
  const vault = vaultOf(dir);
  try {
    const base = await createVault(vault, repo, local, branch);
    await hostGit(['clone', '--quiet', '--no-local', '--', vault, dir], { purpose: 'vault' });
    // The copy is still ours here (no task has run in it): git may run in it this once.
    await hostGit(['remote', 'set-url', 'origin', repo], { purpose: 'vault', cwd: dir });
    await mkdir(join(dir, '.git', 'info'), { recursive: true });
    await appendFile(join(dir, '.git', 'info', 'exclude'), '\n/.nexa/\n');
    const copy = { dir, repo: { source: repo, local, base, branch, vault } };
    // Beside the copy, not in it: what the task can write is never read back as the worker's own record.
    writeFileSync(recordOf(dir), JSON.stringify(copy), { mode: 0o600 });
    return copy;
  } catch (error) {
    await rm(vault, { recursive: true, force: true });
    const detail = (error as Error).message.replace(/^git \S+ failed: /, '');
    throw new NexaError('invalid_input', `could not check out ${repo}: ${detail}`, { cause: error });
  }
}

/** Where a working copy's repository record is kept (removed with the copy: see removeWorkspace). */
export const recordOf = (dir: string) => `${dir}.copy.json`;

/**
 * `nexa continue`: the working copy an earlier attempt of the task left on
 * this worker (the newest), reused in place so the agent's session, kept in
 * its home there, and the paths it saw stay the same.
 */
export function keptWorkingCopy(root: string, taskId: string, attempt: number): WorkingCopy {
  const pattern = /^(.+)-(\d+)$/;
  let newest: { dir: string; attempt: number } | undefined;
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    // no working copies at all
  }
  for (const name of names) {
    const match = pattern.exec(name);
    if (!match || match[1] !== taskId) continue;
    const earlier = Number(match[2]);
    if (earlier < attempt && (!newest || earlier > newest.attempt))
      newest = { dir: join(root, name), attempt: earlier };
  }
  if (!newest) {
    throw new NexaError('not_found', `the working copy of ${taskId} is gone from this worker`, {
      hint: "a worker keeps an agent task's working copy as long as its --keep-sessions (default 7d); start a new task",
    });
  }
  try {
    return JSON.parse(readFileSync(recordOf(newest.dir), 'utf8')) as WorkingCopy;
  } catch {
    return { dir: newest.dir };
  }
}

/**
 * What the task changed against its base, as an artifact event (and an error
 * event when its commits could not be taken); the worker commits nothing
 * itself. Once the task has run, its copy is hostile data: git only ever runs
 * with the vault as its repository and the copy as a work tree to read.
 */
export async function recordChanges(copy: WorkingCopy): Promise<TaskEventBody[]> {
  if (!copy.repo) return [];
  const { dir, repo } = copy;
  const events: TaskEventBody[] = [];
  const refused = await takeTaskCommits(dir, repo);
  if (refused) events.push({ kind: 'error', message: `the task's commits were not taken: ${refused}` });
  events.push(await diffAgainstBase(dir, repo));
  if (repo.local) await fetchBranchBack(repo.vault, repo.source, repo.branch);
  return events;
}

/** Moves the vault's branch to what the task committed; says why not when it cannot. */
async function takeTaskCommits(
  dir: string,
  repo: NonNullable<WorkingCopy['repo']>,
): Promise<string | undefined> {
  const found = await readTaskTip(dir, repo.branch);
  if (found.tip === undefined) return found.refused;
  if (found.tip === repo.base) return undefined;
  await stageTaskObjects(repo.vault, join(dir, '.git', 'objects'));
  return acceptTaskTip(repo.vault, repo.branch, repo.base, found.tip);
}

/**
 * The work tree against the base, through a private index in the vault. `add`
 * records symlinks as links (never followed), skips fifos and sockets, and
 * runs no filter: no config of ours defines one.
 */
async function diffAgainstBase(dir: string, repo: NonNullable<WorkingCopy['repo']>): Promise<TaskEventBody> {
  const { vault, base, branch } = repo;
  const indexFile = join(vault, 'nexa-index');
  const options = {
    purpose: 'vault',
    gitDir: vault,
    workTree: dir,
    indexFile,
    cwd: vault,
    timeoutMs: RECORD_TIMEOUT_MS,
  } as const;
  await rm(indexFile, { force: true });
  await hostGit(['read-tree', base], options);
  // --ignore-errors: one unreadable path (a nested repository without commits, say) does not hide the rest.
  await hostGit(['add', '--all', '--ignore-errors'], options).catch((error: Error) => {
    if ((error.cause as { code?: number } | undefined)?.code !== 1) throw error;
  });
  const diff = ['diff', '--cached', '--no-ext-diff', '--no-textconv', '--no-color', base];
  const [stat, shortstat, patch] = await Promise.all([
    hostGit([...diff, '--stat', '--'], options),
    hostGit([...diff, '--shortstat', '--'], options),
    hostGit([...diff, '--'], options),
  ]);
  const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(shortstat)?.[1] ?? 0);
  return {
    kind: 'artifact',
    branch,
    base,
    files: count('files? changed'),
    insertions: count('insertions?\\(\\+\\)'),
    deletions: count('deletions?\\(-\\)'),
    stat,
    patch: patch.length > PATCH_LIMIT ? patch.slice(0, PATCH_LIMIT) : patch,
    truncated: patch.length > PATCH_LIMIT,
  };
}
