import { appendFile, link, lstat, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { hostGit } from './hostGit.js';

/**
 * A task's vault: a bare repository of the worker's own, outside the working
 * copy and never mounted into a sandbox. The copy is cloned from it (over the
 * pack protocol, so the copy shares no file with anything), and the task's
 * branch is taken into it and fetched back from it: the user's repository
 * only ever talks to the vault, whose config, hooks and alternates are ours.
 */

const VAULTS = '.vaults';
/** Where a vault keeps the task's object files it accepted (links to regular files only). */
const TASK_OBJECTS = 'task-objects';
const LOOSE_DIR = /^[0-9a-f]{2}$/;
const LOOSE_FILE = /^(?:[0-9a-f]{38}|[0-9a-f]{62})$/;
const PACK_FILE = /^pack-[0-9a-f]{40,64}\.pack$/;

/** The vault of the working copy at `copyDir` (`<workRoot>/.vaults/<task>-<attempt>.git`). */
export function vaultOf(copyDir: string): string {
  return join(dirname(copyDir), VAULTS, `${basename(copyDir)}.git`);
}

/** The folder of all vaults under a work root, which pruning treats apart from working copies. */
export const VAULTS_DIR = VAULTS;

/**
 * Makes the vault of a task: for a local source a bare clone that borrows the
 * source's objects read-only (alternates: git never writes into them), for a
 * URL a bare clone. Its HEAD is the task's branch at the source's HEAD.
 */
export async function createVault(
  vault: string,
  source: string,
  local: boolean,
  branch: string,
): Promise<string> {
  await rm(vault, { recursive: true, force: true }); // left over from a crash of this attempt
  await mkdir(dirname(vault), { recursive: true });
  await hostGit(['clone', '--quiet', '--bare', ...(local ? ['--shared'] : []), '--', source, vault], {
    purpose: 'source',
  });
  const base = (
    await hostGit(['rev-parse', '--verify', 'HEAD^{commit}'], { purpose: 'vault', gitDir: vault })
  ).trim();
  await hostGit(['update-ref', `refs/heads/${branch}`, base], { purpose: 'vault', gitDir: vault });
  await hostGit(['symbolic-ref', 'HEAD', `refs/heads/${branch}`], { purpose: 'vault', gitDir: vault });
  // A coding agent's home (.nexa/home) lives in the copy; it is not part of the task's changes.
  await mkdir(join(vault, 'info'), { recursive: true });
  await writeFile(join(vault, 'info', 'exclude'), '/.nexa/\n');
  return base;
}

const lstatOrNothing = (path: string) => lstat(path).catch(() => undefined);
const listOrNothing = (path: string) => readdir(path).catch(() => [] as string[]);

/** Links `from` to `to` and keeps it only if what got linked is a regular file. */
async function linkRegular(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to); // link(2) never follows a symlink: a planted one is linked as itself
  } catch {
    return false;
  }
  // Checked on our own link, so nothing can swap the file between the check and the use.
  if ((await lstat(to)).isFile()) return true;
  await rm(to, { force: true });
  return false;
}

/**
 * Takes the object files of the task's copy into the vault as data: only
 * regular files with the names git gives them (symlinks, fifos and anything
 * else are left behind), each pack indexed by us (`index-pack` checks every
 * object) rather than trusting the task's .idx. The vault then reads them
 * through an alternates entry of its own.
 */
export async function stageTaskObjects(vault: string, copyObjects: string): Promise<void> {
  const staged = join(vault, TASK_OBJECTS);
  await rm(staged, { recursive: true, force: true });
  await mkdir(join(staged, 'pack'), { recursive: true });
  for (const dir of await listOrNothing(copyObjects)) {
    if (!LOOSE_DIR.test(dir) || !(await lstatOrNothing(join(copyObjects, dir)))?.isDirectory()) continue;
    const files = (await listOrNothing(join(copyObjects, dir))).filter((name) => LOOSE_FILE.test(name));
    if (files.length === 0) continue;
    await mkdir(join(staged, dir), { recursive: true });
    for (const file of files) await linkRegular(join(copyObjects, dir, file), join(staged, dir, file));
  }
  if ((await lstatOrNothing(join(copyObjects, 'pack')))?.isDirectory()) {
    for (const name of await listOrNothing(join(copyObjects, 'pack'))) {
      if (!PACK_FILE.test(name)) continue;
      const pack = join(staged, 'pack', name);
      if (!(await linkRegular(join(copyObjects, 'pack', name), pack))) continue;
      // A pack that does not index is not the task's commits: it is left out.
      await hostGit(['index-pack', pack], { purpose: 'vault', gitDir: vault }).catch(() =>
        rm(pack, { force: true }),
      );
    }
  }
  await appendFile(join(vault, 'objects', 'info', 'alternates'), `${staged}\n`);
}

/**
 * Points the vault's branch at the task's tip if every object from the base to
 * it is there; otherwise it stays where it is and the reason is returned.
 */
export async function acceptTaskTip(
  vault: string,
  branch: string,
  base: string,
  tip: string,
): Promise<string | undefined> {
  try {
    await hostGit(['rev-list', '--quiet', '--objects', tip, '--not', base], {
      purpose: 'vault',
      gitDir: vault,
    });
    await hostGit(['update-ref', `refs/heads/${branch}`, tip], { purpose: 'vault', gitDir: vault });
    return undefined;
  } catch (error) {
    return `the task's branch tip ${tip.slice(0, 12)} is incomplete or not a commit (${(error as Error).message})`;
  }
}

/**
 * Fetches the task's branch, and only it, from the vault into the user's
 * repository. Git runs in the user's repository (their config is theirs);
 * its upload-pack runs in the vault, never in the task's copy.
 */
export async function fetchBranchBack(vault: string, source: string, branch: string): Promise<void> {
  const ref = `refs/heads/${branch}`;
  await hostGit(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', vault, `+${ref}:${ref}`], {
    purpose: 'source',
    cwd: source,
  });
}
