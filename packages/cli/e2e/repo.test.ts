import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from './cluster.js';
import { nexa, resultTaskId, showTask } from './harness.js';

let cluster: Cluster;
let repo: string;
const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });

beforeAll(async () => {
  cluster = await startCluster();
  await cluster.worker('builder', ['--capacity', '2']);
  repo = mkdtempSync(join(tmpdir(), 'nexa-repo-'));
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(join(repo, 'shared.txt'), 'base line\n');
  git('add', '.');
  git('-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '-qm', 'base');
});
afterAll(() => cluster?.stop());

const editAndCommit = [
  'sleep 1', // both tasks are editing at the same time
  'echo "change from $NEXA_TASK_ID" >> shared.txt',
  'echo "new file" > added.txt',
  'cat shared.txt',
  'git -c user.name=nexa -c user.email=nexa@example.com commit -qam "edit by $NEXA_TASK_ID"',
].join(' && ');

describe('tasks on a git repository (--repo)', () => {
  it('gives two concurrent tasks their own copies; both branches come back with their own changes', async () => {
    const runs = await Promise.all(
      [1, 2].map(() =>
        nexa(cluster.home, [
          'run',
          '--sandbox',
          'process',
          '--json',
          '--repo',
          repo,
          '--',
          'sh',
          '-c',
          editAndCommit,
        ]),
      ),
    );
    const ids = runs.map((run) => {
      expect(run.exitCode).toBe(0);
      const lines = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      const taskId = lines.at(-1).taskId as string;
      const seen = lines
        .filter((l) => l.kind === 'output')
        .map((l) => l.data)
        .join('');
      // Each saw the base and its own change, never the other task's.
      expect(seen).toBe(`base line\nchange from ${taskId}\n`);
      return taskId;
    });

    expect(git('branch', '--list', 'nexa/*', '--format=%(refname:short)').trim().split('\n').sort()).toEqual(
      ids.map((id) => `nexa/${id}`).sort(),
    );
    for (const id of ids) {
      expect(git('show', `nexa/${id}:shared.txt`)).toBe(`base line\nchange from ${id}\n`);
      const diff = await nexa(cluster.home, ['diff', id]);
      expect(diff.stdout).toContain(`+change from ${id}`);
      expect(diff.stdout).toContain('+++ b/added.txt');
      const show = await showTask(cluster.home, id);
      expect(show.changes).toMatchObject({ branch: `nexa/${id}`, files: 2, insertions: 2, deletions: 0 });
    }
    expect(git('log', '--format=%s', 'main')).toBe('base\n'); // the repository's own branch is untouched
  });

  it('clones from any URL git accepts, and says clearly when it cannot', async () => {
    const cloned = await nexa(cluster.home, [
      'run',
      '--sandbox',
      'process',
      '--repo',
      `file://${repo}`,
      '--',
      'cat',
      'shared.txt',
    ]);
    expect(cloned).toMatchObject({ exitCode: 0, stdout: 'base line\n' });
    const missing = await nexa(cluster.home, [
      'run',
      '--sandbox',
      'process',
      '--repo',
      join(repo, 'nope'),
      '--',
      'true',
    ]);
    expect(missing.exitCode).toBe(125);
    expect(missing.stderr).toMatch(/could not check out .*nope/);
  });

  it('without --repo has no changes to show', async () => {
    const run = await nexa(cluster.home, ['run', '--sandbox', 'process', '--detach', '--', 'true']);
    const result = await nexa(cluster.home, ['diff', run.stdout.trim()]);
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toMatch(/has no recorded changes/);
  });

  it('removes a working copy when its task ends, or keeps it for --keep-workdirs; the branch stays either way', async () => {
    await cluster.worker('keeper', ['--keep-workdirs', '1h', '--labels', 'keep=1']);
    const workdir = (worker: string, id: string) =>
      join(cluster.home.dir, 'data', `worker-${worker}`, 'work', `${id}-1`);
    const kept = await nexa(cluster.home, [
      'run',
      '--sandbox',
      'process',
      '--json',
      '--label',
      'keep=1',
      '--repo',
      repo,
      '--',
      'sh',
      '-c',
      'echo kept > note.txt',
    ]);
    const keptId = resultTaskId(kept);
    expect(readFileSync(join(workdir('keeper', keptId), 'note.txt'), 'utf8')).toBe('kept\n');
    await nexa(cluster.home, ['workers', 'drain', 'keeper']); // the next task runs on builder, which keeps nothing
    const gone = await nexa(cluster.home, [
      'run',
      '--sandbox',
      'process',
      '--json',
      '--repo',
      repo,
      '--',
      'true',
    ]);
    const goneId = resultTaskId(gone);
    expect(existsSync(workdir('builder', goneId))).toBe(false);
    expect(git('branch', '--list', `nexa/${goneId}`).trim()).toBe(`nexa/${goneId}`);
  });
});
