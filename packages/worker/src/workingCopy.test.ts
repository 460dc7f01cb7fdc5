import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskEventBody } from '@nexa/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { prepareWorkingCopy, recordChanges, type WorkingCopy } from './workingCopy.js';

/**
 * Each test plants one trick in a prepared working copy, the way a task could
 * from inside its sandbox, then records the changes as the worker does once the
 * sandbox has ended. A planted command writes its environment to a marker file;
 * no marker may ever appear, and the artifact must still be right.
 */

let top: string;
let source: string;
let markers: string;
let evil: string;
let workRoot: string;
let taskNumber = 0;
const FAKE_TOKEN = 'nexa-token-that-must-not-leak';

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    encoding: 'utf8',
  });

/** A shell command that records that it ran (and with which environment) under `markers`. */
const marker = (name: string) => `env > ${join(markers, name)}; false`;

/** Every file under `dir` (symlinks not followed): path → sha256 of content or link target, and mode. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      const info = lstatSync(path);
      if (info.isDirectory()) walk(path);
      else {
        const body = info.isSymbolicLink() ? `link:${readFileSync(path).length}` : readFileSync(path);
        files.set(path, `${info.mode}:${createHash('sha256').update(body).digest('hex')}`);
      }
    }
  };
  walk(dir);
  return files;
}

async function record(copy: WorkingCopy): Promise<TaskEventBody[]> {
  const recorded = (await recordChanges(copy)) as TaskEventBody[] | TaskEventBody | undefined;
  if (Array.isArray(recorded)) return recorded;
  return recorded ? [recorded] : [];
}

function artifactOf(events: TaskEventBody[]) {
  const artifact = events.find((event) => event.kind === 'artifact');
  if (artifact?.kind !== 'artifact') throw new Error(`no artifact in ${JSON.stringify(events)}`);
  return artifact;
}

beforeAll(() => {
  top = mkdtempSync(join(tmpdir(), 'nexa-copy-test-'));
  source = join(top, 'source');
  markers = join(top, 'markers');
  workRoot = join(top, 'work');
  evil = join(top, 'evil');
  mkdirSync(markers);
  execFileSync('git', ['init', '-q', '-b', 'main', source]);
  writeFileSync(join(source, 'readme.txt'), 'hello\n');
  mkdirSync(join(source, 'lib'));
  writeFileSync(join(source, 'lib', 'code.js'), 'export const x = 1;\n');
  git(source, 'add', '.');
  git(source, 'commit', '-qm', 'base');
  // Another repository with a hostile config and hooks, for `.git` files and symlinks to point at.
  execFileSync('git', ['init', '-q', evil]);
  appendFileSync(join(evil, '.git', 'config'), `[core]\n\tfsmonitor = "${marker('evil-fsmonitor')}"\n`);
  for (const hook of ['post-checkout', 'pre-commit', 'reference-transaction', 'post-index-change']) {
    writeFileSync(join(evil, '.git', 'hooks', hook), `#!/bin/sh\n${marker(`evil-${hook}`)}\n`);
    chmodSync(join(evil, '.git', 'hooks', hook), 0o755);
  }
});
afterAll(() => rmSync(top, { recursive: true, force: true }));

let savedToken: string | undefined;
beforeEach(() => {
  savedToken = process.env.NEXA_TOKEN;
  process.env.NEXA_TOKEN = FAKE_TOKEN;
});
afterEach(() => {
  if (savedToken === undefined) delete process.env.NEXA_TOKEN;
  else process.env.NEXA_TOKEN = savedToken;
  const ran = readdirSync(markers);
  for (const name of ran) rmSync(join(markers, name));
  expect(ran).toEqual([]); // nothing planted ever ran on the host
});

async function prepared(): Promise<WorkingCopy> {
  taskNumber += 1;
  return prepareWorkingCopy(workRoot, `task${taskNumber}`, 1, source);
}

/** Appends to the copy's .git/config, as a task can. */
const plantConfig = (copy: WorkingCopy, text: string) =>
  appendFileSync(join(copy.dir, '.git', 'config'), text);

/** An ordinary change, so every artifact has something to show. */
const edit = (copy: WorkingCopy) => appendFileSync(join(copy.dir, 'readme.txt'), 'changed\n');

function expectEditRecorded(events: TaskEventBody[]) {
  const artifact = artifactOf(events);
  expect(artifact.files).toBe(1);
  expect(artifact.patch).toContain('+changed');
}

describe('recording a hostile working copy runs nothing from it on the host', () => {
  it('ignores core.fsmonitor', async () => {
    const copy = await prepared();
    plantConfig(copy, `[core]\n\tfsmonitor = "${marker('fsmonitor')}"\n`);
    edit(copy);
    expectEditRecorded(await record(copy));
  });

  it('ignores core.hooksPath and the hooks in .git/hooks', async () => {
    const copy = await prepared();
    const hooks = join(copy.dir, '.git', 'hooks');
    for (const hook of [
      'post-checkout',
      'pre-commit',
      'reference-transaction',
      'post-index-change',
      'pre-auto-gc',
      'post-merge',
    ]) {
      writeFileSync(join(hooks, hook), `#!/bin/sh\n${marker(`hook-${hook}`)}\n`);
      chmodSync(join(hooks, hook), 0o755);
    }
    plantConfig(copy, `[core]\n\thooksPath = ${join(evil, '.git', 'hooks')}\n`);
    edit(copy);
    expectEditRecorded(await record(copy));
  });

  it('ignores core.pager, core.editor, diff.external, textconv and filter drivers', async () => {
    const copy = await prepared();
    plantConfig(
      copy,
      [
        '[core]',
        `\tpager = "${marker('pager')}"`,
        `\teditor = "${marker('editor')}"`,
        `\tsshCommand = "${marker('ssh')}"`,
        `\taskPass = "${marker('askpass')}"`,
        '[diff]',
        `\texternal = "${marker('diff-external')}"`,
        '[diff "x"]',
        `\ttextconv = "${marker('textconv')}"`,
        '[filter "x"]',
        `\tclean = "${marker('clean')}"`,
        `\tsmudge = "${marker('smudge')}"`,
        `\tprocess = "${marker('process')}"`,
        '\trequired = true',
        '[credential]',
        `\thelper = "!${marker('credential')}"`,
        '[remote "origin"]',
        '\turl = ssh://attacker.invalid/x',
        '',
      ].join('\n'),
    );
    writeFileSync(join(copy.dir, '.gitattributes'), '* diff=x filter=x\n');
    mkdirSync(join(copy.dir, '.git', 'info'), { recursive: true });
    writeFileSync(join(copy.dir, '.git', 'info', 'attributes'), '* diff=x filter=x\n');
    edit(copy);
    const artifact = artifactOf(await record(copy));
    expect(artifact.patch).toContain('+changed'); // the text itself, not a textconv's output
    expect(artifact.patch).toContain('+* diff=x filter=x');
  });

  it('ignores include.path and includeIf in the copy', async () => {
    const copy = await prepared();
    const included = join(top, 'included.config');
    writeFileSync(included, `[core]\n\tfsmonitor = "${marker('included-fsmonitor')}"\n`);
    plantConfig(copy, `[include]\n\tpath = ${included}\n[includeIf "gitdir:/"]\n\tpath = ${included}\n`);
    edit(copy);
    expectEditRecorded(await record(copy));
  });

  it('never runs git in a repository that .git (a gitfile) points to', async () => {
    const copy = await prepared();
    rmSync(join(copy.dir, '.git'), { recursive: true });
    writeFileSync(join(copy.dir, '.git'), `gitdir: ${join(evil, '.git')}\n`);
    edit(copy);
    const events = await record(copy);
    expectEditRecorded(events);
    expect(events.some((event) => event.kind === 'error' && /\.git/.test(event.message))).toBe(true);
  });

  it('never runs git in a repository that a .git symlink points to', async () => {
    const copy = await prepared();
    rmSync(join(copy.dir, '.git'), { recursive: true });
    symlinkSync(join(evil, '.git'), join(copy.dir, '.git'));
    edit(copy);
    const events = await record(copy);
    expectEditRecorded(events);
    expect(events.some((event) => event.kind === 'error')).toBe(true);
  });

  it('keeps the worker environment (its token) out of every git it runs', async () => {
    const copy = await prepared();
    plantConfig(copy, `[core]\n\tfsmonitor = "env | grep -q ${FAKE_TOKEN} && ${marker('token-leaked')}"\n`);
    edit(copy);
    expectEditRecorded(await record(copy));
  });
});

describe("the task's commits come back as data", () => {
  it('brings back what the task committed on its branch', async () => {
    const copy = await prepared();
    edit(copy);
    git(copy.dir, 'commit', '-qam', 'task commit');
    const events = await record(copy);
    expectEditRecorded(events);
    const branch = copy.repo?.branch ?? '';
    expect(git(source, 'log', '--format=%s', branch)).toBe('task commit\nbase\n');
    expect(git(source, 'log', '--format=%s', 'main')).toBe('base\n');
  });

  it('reads the tip from packed-refs, and moves no other branch of the source', async () => {
    const copy = await prepared();
    edit(copy);
    git(copy.dir, 'commit', '-qam', 'packed commit');
    const tip = git(copy.dir, 'rev-parse', 'HEAD').trim();
    git(copy.dir, 'pack-refs', '--all');
    // Point main elsewhere too; only the task's own branch may travel.
    appendFileSync(join(copy.dir, '.git', 'packed-refs'), `${tip} refs/heads/main\n${tip} refs/tags/evil\n`);
    const mainBefore = git(source, 'rev-parse', 'main');
    const tagsBefore = git(source, 'tag');
    await record(copy);
    expect(git(source, 'rev-parse', copy.repo?.branch ?? '').trim()).toBe(tip);
    expect(git(source, 'rev-parse', 'main')).toBe(mainBefore);
    expect(git(source, 'tag')).toBe(tagsBefore);
  });

  it('refuses commits from a copy that planted alternates; the branch stays at its base', async () => {
    const copy = await prepared();
    edit(copy);
    git(copy.dir, 'commit', '-qam', 'with alternates');
    writeFileSync(
      join(copy.dir, '.git', 'objects', 'info', 'alternates'),
      `${join(evil, '.git', 'objects')}\n`,
    );
    const events = await record(copy);
    expectEditRecorded(events);
    expect(events.some((event) => event.kind === 'error' && /alternates/.test(event.message))).toBe(true);
    expect(git(source, 'rev-parse', copy.repo?.branch ?? '').trim()).toBe(copy.repo?.base);
  });

  it('treats a tip whose objects are missing as corrupt: no branch update', async () => {
    const copy = await prepared();
    edit(copy);
    git(copy.dir, 'commit', '-qam', 'soon missing');
    const tip = git(copy.dir, 'rev-parse', 'HEAD').trim();
    rmSync(join(copy.dir, '.git', 'objects', tip.slice(0, 2), tip.slice(2)));
    const events = await record(copy);
    expectEditRecorded(events);
    expect(events.some((event) => event.kind === 'error')).toBe(true);
    expect(git(source, 'rev-parse', copy.repo?.branch ?? '').trim()).toBe(copy.repo?.base);
  });

  it('ignores a symbolic ref, a symlinked ref and a ref that is not a hash', async () => {
    for (const plant of [
      (ref: string) => writeFileSync(ref, 'ref: refs/heads/main\n'),
      (ref: string) => symlinkSync(join(source, '.git', 'refs', 'heads', 'main'), ref),
      (ref: string) => writeFileSync(ref, 'not a hash at all\n'),
    ]) {
      const copy = await prepared();
      edit(copy);
      const ref = join(copy.dir, '.git', 'refs', 'heads', 'nexa', `task${taskNumber}`);
      rmSync(ref, { force: true });
      plant(ref);
      const events = await record(copy);
      expectEditRecorded(events);
      expect(git(source, 'rev-parse', copy.repo?.branch ?? '').trim()).toBe(copy.repo?.base);
    }
  });
});

describe("the task's files are data, never followed", () => {
  it('records a symlink to /etc/passwd as a link, never its content', async () => {
    const copy = await prepared();
    symlinkSync('/etc/passwd', join(copy.dir, 'passwd'));
    symlinkSync('/', join(copy.dir, 'root'));
    const artifact = artifactOf(await record(copy));
    expect(artifact.patch).toContain('new file mode 120000');
    expect(artifact.patch).toContain('+/etc/passwd');
    expect(artifact.patch).not.toContain('root:x:0:0');
    expect(artifact.files).toBe(2);
  });

  it('skips FIFOs in the work tree and in .git/objects without hanging', async () => {
    const copy = await prepared();
    edit(copy);
    git(copy.dir, 'commit', '-qam', 'before the fifos');
    const objects = join(copy.dir, '.git', 'objects');
    mkdirSync(join(objects, 'ab'), { recursive: true });
    execFileSync('mkfifo', [join(objects, 'ab', 'c'.repeat(38))]);
    symlinkSync('/etc/passwd', join(objects, 'pack', `pack-${'d'.repeat(40)}.pack`));
    execFileSync('mkfifo', [join(objects, 'pack', `pack-${'e'.repeat(40)}.pack`)]);
    execFileSync('mkfifo', [join(copy.dir, 'pipe')]);
    rmSync(join(copy.dir, 'readme.txt'));
    execFileSync('mkfifo', [join(copy.dir, 'readme.txt')]); // a fifo where a tracked file was
    execFileSync('mkfifo', [join(copy.dir, '.git', 'objects', 'ff')]);
    appendFileSync(join(copy.dir, 'lib', 'code.js'), 'changed\n');
    const events = await record(copy);
    const artifact = artifactOf(events);
    expect(artifact.patch).toContain('+changed');
    expect(artifact.patch).not.toContain('pipe');
    expect(git(source, 'log', '--format=%s', copy.repo?.branch ?? '')).toBe('before the fifos\nbase\n');
  });

  it('records a nested repository without failing the whole record', async () => {
    const copy = await prepared();
    execFileSync('git', ['init', '-q', join(copy.dir, 'nested')]);
    edit(copy);
    expectEditRecorded(await record(copy));
  });

  it('shares no object file (no inode) with the source, so rewriting them changes nothing there', async () => {
    const before = snapshot(join(source, '.git'));
    const sourceInodes = new Set(
      [...before.keys()].map((path) => `${statSync(path).dev}:${statSync(path).ino}`),
    );
    const copy = await prepared();
    const objects = join(copy.dir, '.git', 'objects');
    const walk = (at: string): string[] =>
      readdirSync(at).flatMap((name) => {
        const path = join(at, name);
        return lstatSync(path).isDirectory() ? walk(path) : [path];
      });
    const copyObjects = walk(objects);
    expect(copyObjects.length).toBeGreaterThan(0);
    for (const path of copyObjects) {
      const info = statSync(path);
      expect(sourceInodes.has(`${info.dev}:${info.ino}`)).toBe(false);
      chmodSync(path, 0o644);
      writeFileSync(path, 'x');
    }
    await record(copy);
    const after = snapshot(join(source, '.git'));
    for (const [path, digest] of before) {
      if (path.includes(`${join('.git', 'objects')}/`)) expect(after.get(path)).toBe(digest);
    }
  });
});

describe('prepare', () => {
  it('checks out the source on branch nexa/<task>, based at its HEAD, with .nexa/ excluded', async () => {
    const copy = await prepared();
    expect(copy.repo?.branch).toBe(`nexa/task${taskNumber}`);
    expect(git(copy.dir, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe(copy.repo?.branch);
    expect(copy.repo?.base).toBe(git(source, 'rev-parse', 'main').trim());
    mkdirSync(join(copy.dir, '.nexa', 'home'), { recursive: true });
    writeFileSync(join(copy.dir, '.nexa', 'home', 'settings'), 'x');
    expect(git(copy.dir, 'status', '--porcelain')).toBe('');
    const artifact = artifactOf(await record(copy));
    expect(artifact.files).toBe(0);
    expect(existsSync(join(copy.dir, 'readme.txt'))).toBe(true);
  });
});
