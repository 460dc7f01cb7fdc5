import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The tip of the task's branch as the task left it, or why it cannot be trusted. */
export type TaskTip = { tip: string } | { tip: undefined; refused?: string };

const HASH = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** A ref file holds one hash; packed-refs may be long, but not without bound. */
const REF_LIMIT = 4096;
const PACKED_REFS_LIMIT = 16 * 1024 * 1024;

/** lstat that says "absent" instead of throwing. */
const lstatOrNothing = (path: string) => lstat(path).catch(() => undefined);

/** Every directory on the way from `dir` to `parts`, checked to be a real directory (no symlink). */
async function realDirectories(dir: string, parts: string[]): Promise<boolean> {
  let at = dir;
  for (const part of parts) {
    at = join(at, part);
    if (!(await lstatOrNothing(at))?.isDirectory()) return false;
  }
  return true;
}

/** A small regular file's text, or undefined when it is absent, a symlink, special or too big. */
async function smallRegularFile(path: string, limit: number): Promise<string | undefined> {
  const info = await lstatOrNothing(path);
  if (!info?.isFile() || info.size > limit) return undefined;
  return readFile(path, 'utf8').catch(() => undefined);
}

/**
 * Reads the task's branch from a working copy whose sandbox has ended, as data:
 * git is never run there, since its config and hooks are the task's. A symbolic
 * ref, a symlink anywhere on the way, or a copy that borrows objects from
 * elsewhere (alternates) yields no tip.
 */
export async function readTaskTip(copyDir: string, branch: string): Promise<TaskTip> {
  const gitDir = join(copyDir, '.git');
  const dotGit = await lstatOrNothing(gitDir);
  if (!dotGit?.isDirectory()) return { tip: undefined, refused: "the copy's .git is not a directory" };
  if (!(await lstatOrNothing(join(gitDir, 'objects')))?.isDirectory())
    return { tip: undefined, refused: "the copy's .git/objects is not a directory" };
  for (const name of ['alternates', 'http-alternates']) {
    if (await lstatOrNothing(join(gitDir, 'objects', 'info', name)))
      return { tip: undefined, refused: `the copy has .git/objects/info/${name}` };
  }
  const refParts = ['refs', 'heads', ...branch.split('/')];
  const refName = refParts.join('/');
  if (await realDirectories(gitDir, refParts.slice(0, -1))) {
    const refPath = join(gitDir, ...refParts);
    if (await lstatOrNothing(refPath)) {
      // A loose ref wins over packed-refs, as in git: one that is not a plain hash means no tip.
      const text = (await smallRegularFile(refPath, REF_LIMIT))?.trim();
      return text && HASH.test(text) ? { tip: text } : { tip: undefined };
    }
  }
  const packed = await smallRegularFile(join(gitDir, 'packed-refs'), PACKED_REFS_LIMIT);
  for (const line of packed?.split('\n') ?? []) {
    const [hash, name] = line.trim().split(' ');
    if (name === refName && hash && HASH.test(hash)) return { tip: hash };
  }
  return { tip: undefined };
}
