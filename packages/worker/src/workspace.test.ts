import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vaultOf } from './git/vault.js';
import { createWorkspace, pruneWorkspaces, removeWorkspace } from './workspace.js';

let top: string;
let root: string;
beforeEach(() => {
  top = mkdtempSync(join(tmpdir(), 'nexa-workspace-test-'));
  root = join(top, 'work');
});
afterEach(() => rmSync(top, { recursive: true, force: true }));

/** A working copy with a vault beside it, as prepareWorkingCopy leaves them. */
function copyWithVault(name: string): { dir: string; vault: string } {
  const dir = createWorkspace(root, name, 1);
  const vault = vaultOf(dir);
  mkdirSync(join(vault, 'objects'), { recursive: true });
  writeFileSync(join(vault, 'HEAD'), 'ref: refs/heads/x\n');
  return { dir, vault };
}

describe('removing working copies', () => {
  it("removes a copy's vault with it", async () => {
    const { dir, vault } = copyWithVault('t1');
    await removeWorkspace(dir);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(vault)).toBe(false);
  });

  it('never follows a symlink out of the copy: what it points to survives', async () => {
    const hostDir = join(top, 'host-dir');
    mkdirSync(hostDir);
    writeFileSync(join(hostDir, 'precious'), 'keep me');
    const { dir } = copyWithVault('t2');
    symlinkSync(hostDir, join(dir, 'link-to-dir'));
    symlinkSync(join(hostDir, 'precious'), join(dir, 'link-to-file'));
    mkdirSync(join(dir, '.git'));
    symlinkSync(hostDir, join(dir, '.git', 'objects'));
    await removeWorkspace(dir);
    expect(existsSync(dir)).toBe(false);
    expect(readFileSync(join(hostDir, 'precious'), 'utf8')).toBe('keep me');
  });

  it('prunes old copies and their vaults at start, and keeps recent ones', async () => {
    const old = copyWithVault('old');
    const recent = copyWithVault('recent');
    const orphan = vaultOf(join(root, 'orphan-1'));
    mkdirSync(orphan, { recursive: true });
    const longAgo = new Date(Date.now() - 3 * 3600_000);
    for (const path of [old.dir, old.vault, orphan, join(root, '.vaults')])
      utimesSync(path, longAgo, longAgo);
    await pruneWorkspaces(root, 3600_000);
    expect(existsSync(old.dir)).toBe(false);
    expect(existsSync(old.vault)).toBe(false);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(recent.dir)).toBe(true);
    expect(existsSync(recent.vault)).toBe(true);
  });
});
