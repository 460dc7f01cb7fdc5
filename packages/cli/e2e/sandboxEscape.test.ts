import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from './cluster.js';
import { nexa, resultTaskId, showTask } from './harness.js';
import { bwrapWorks, dockerWorks } from './walls.js';

/**
 * A task that plants every trick it can in its working copy, through real
 * sandboxes, must not get a command run on the host nor change the user's
 * repository beyond its own new branch. In CI docker and bubblewrap must be
 * there (as in sandboxes.test.ts): this suite never skips there.
 */
const docker = dockerWorks();
if ((!bwrapWorks || !docker) && process.env.CI) throw new Error('CI must run the sandbox escape tests');
const ready = bwrapWorks && docker;
if (!ready) console.warn('skipping the sandbox escape tests: bubblewrap or docker is missing');

let cluster: Cluster;
let top: string;
let source: string;
let markers: string;
const git = (...args: string[]) =>
  execFileSync('git', ['-C', source, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    encoding: 'utf8',
  });

/** Every file under `dir` (no symlink followed), path → mode and sha256 of its content or link target. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      const info = lstatSync(path);
      if (info.isDirectory()) walk(path);
      else {
        const body = info.isSymbolicLink() ? readlinkSync(path) : readFileSync(path);
        files.set(relative(dir, path), `${info.mode}:${createHash('sha256').update(body).digest('hex')}`);
      }
    }
  };
  walk(dir);
  return files;
}

/** The source is unchanged but for the task's new branch: same files, new ones only where a fetch writes. */
function expectOnlyNewBranch(before: Map<string, string>, id: string) {
  const after = snapshot(source);
  for (const [path, digest] of before) expect({ path, digest: after.get(path) }).toEqual({ path, digest });
  const allowed = [
    /^\.git\/objects\//,
    new RegExp(`^\\.git/refs/heads/nexa/${id}$`),
    /^\.git\/logs\//,
    /^\.git\/FETCH_HEAD$/,
  ];
  for (const path of after.keys()) {
    if (!before.has(path))
      expect({ path, allowed: allowed.some((pattern) => pattern.test(path)) }).toEqual({
        path,
        allowed: true,
      });
  }
}

/** Shell (busybox: no git) that plants every trick a task could leave for the worker's git. */
function plantEverything(): string {
  const run = (name: string) => `env > ${markers}/${name}-$$; false`;
  const hooks = ['post-checkout', 'pre-commit', 'reference-transaction', 'post-index-change', 'pre-auto-gc'];
  return [
    'set -e',
    'echo changed >> shared.txt',
    'echo added > added.txt',
    `cat >> .git/config <<'EOF'
[core]
	fsmonitor = "${run('fsmonitor')}"
	hooksPath = .git/evil-hooks
	pager = "${run('pager')}"
	editor = "${run('editor')}"
	sshCommand = "${run('ssh')}"
[diff]
	external = "${run('diff-external')}"
[diff "x"]
	textconv = "${run('textconv')}"
[filter "x"]
	clean = "${run('clean')}"
	smudge = "${run('smudge')}"
	process = "${run('process')}"
	required = true
[credential]
	helper = "!${run('credential')}"
[include]
	path = ../evil.config
[safe]
	directory = *
EOF`,
    `printf '[core]\\n\\tfsmonitor = "${run('included')}"\\n' > evil.config`,
    "printf '* diff=x filter=x\\n' > .gitattributes",
    'mkdir -p .git/evil-hooks',
    ...hooks.flatMap((hook) => [
      `printf '#!/bin/sh\\n${run(`hook-${hook}`)}\\n' > .git/hooks/${hook}`,
      `cp .git/hooks/${hook} .git/evil-hooks/${hook}`,
      `chmod +x .git/hooks/${hook} .git/evil-hooks/${hook}`,
    ]),
    'ln -s /etc/passwd passwd-link',
    'mkfifo a-fifo',
    `printf '%s refs/heads/main\\n' 0000000000000000000000000000000000000001 >> .git/packed-refs`,
    'echo planted',
  ].join('\n');
}

beforeAll(async () => {
  if (!ready) return;
  top = mkdtempSync(join(tmpdir(), 'nexa-escape-'));
  markers = join(top, 'markers');
  source = join(top, 'source');
  execFileSync('mkdir', [markers]);
  execFileSync('git', ['init', '-q', '-b', 'main', source]);
  writeFileSync(join(source, 'shared.txt'), 'base line\n');
  git('add', '.');
  git('commit', '-qm', 'base');
  cluster = await startCluster();
  await cluster.worker('walled', ['--walled-only', '--image', 'nexa-test:busybox', '--capacity', '2']);
});
afterAll(() => cluster?.stop());
// Each test asserts on its own markers; one that failed leaves none for the next.
beforeEach(() => {
  if (ready) for (const name of readdirSync(markers)) rmSync(join(markers, name));
});

async function runIn(sandbox: string, script: string) {
  const result = await nexa(cluster.home, [
    'run',
    '--json',
    '--sandbox',
    sandbox,
    '--repo',
    source,
    '--',
    'sh',
    '-c',
    script,
  ]);
  expect(result.stderr).toBe('');
  return { result, id: resultTaskId(result) };
}

describe.skipIf(!ready)('a task cannot escape through its working copy', () => {
  for (const sandbox of ['bwrap', 'docker']) {
    it(`${sandbox}: every planted trick stays inert; only the task's branch reaches the source`, async () => {
      const before = snapshot(source);
      const { result, id } = await runIn(sandbox, plantEverything());
      expect(result.exitCode).toBe(0);
      expect(readdirSync(markers)).toEqual([]); // nothing the task planted ran on the host
      expectOnlyNewBranch(before, id);
      expect(git('rev-parse', 'main')).toBe(git('rev-parse', `nexa/${id}`)); // nothing committed: branch at base
      const diff = await nexa(cluster.home, ['diff', id]);
      expect(diff.stdout).toContain('+changed');
      expect(diff.stdout).toContain('+++ b/passwd-link');
      expect(diff.stdout).not.toContain('root:x:0:0');
      expect(diff.stdout).not.toContain('a-fifo');
      const show = await showTask(cluster.home, id);
      expect(show.changes).toMatchObject({ branch: `nexa/${id}`, files: 5 }); // shared, added, link, .gitattributes, evil.config
    });

    it(`${sandbox}: rewriting every object file of the copy leaves the source's history intact`, async () => {
      const before = snapshot(source);
      const { result, id } = await runIn(
        sandbox,
        'for f in .git/objects/*/*; do chmod u+w "$f"; printf x > "$f" || exit 9; done; echo rewrote',
      );
      expect(result.exitCode).toBe(0);
      expect(readdirSync(markers)).toEqual([]);
      expectOnlyNewBranch(before, id);
      expect(git('log', '--format=%s', 'main')).toBe('base\n');
      expect(spawnSync('git', ['-C', source, 'fsck', '--no-dangling']).status).toBe(0);
    });
  }

  it('bwrap: what the task commits with git comes back on its branch, next to every trick', async () => {
    const before = snapshot(source);
    const commit = 'git -c user.name=task -c user.email=task@example.com commit -qam "task commit"';
    const { result, id } = await runIn(
      'bwrap',
      `echo committed >> shared.txt && ${commit} && ${plantEverything()}`,
    );
    expect(result.exitCode).toBe(0);
    expect(readdirSync(markers)).toEqual([]);
    expectOnlyNewBranch(before, id);
    expect(git('log', '--format=%s', `nexa/${id}`)).toBe('task commit\nbase\n');
    expect(git('show', `nexa/${id}:shared.txt`)).toBe('base line\ncommitted\n');
    expect(git('log', '--format=%s', 'main')).toBe('base\n');
  });
});
