import type { KvEntry, TaskDetail } from '@nexa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun } from './agents.js';
import { type Cluster, startCluster } from './cluster.js';
import { nexa, resultTaskId, showTask } from './harness.js';
import { threadMessages } from './threads.js';
import { bwrapWorks, dockerWorks } from './walls.js';

/**
 * A command task talks to the coordinator as itself: `nexa` is on its PATH
 * inside the sandbox, pointed at the coordinator through the relay in its
 * working copy, with its own task token. In a container whose image has no
 * node at all (busybox), the worker's node runs with its libraries mounted.
 */

const docker = dockerWorks();
if (process.env.CI && !(bwrapWorks && docker))
  throw new Error('CI must run task commands in bwrap and docker');

let cluster: Cluster;
beforeAll(async () => {
  if (!bwrapWorks) return;
  cluster = await startCluster();
  // Walls only: bubblewrap, and docker with the busybox image when there is an engine.
  await cluster.worker('walled', ['--walled-only', ...(docker ? ['--image', 'nexa-test:busybox'] : [])]);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

async function kvGet(key: string): Promise<KvEntry | null> {
  const got = await nexa(cluster.home, ['kv', 'get', key, '--json']);
  expect(got.exitCode, describeRun(got)).toBe(0);
  return JSON.parse(got.stdout) as KvEntry | null;
}

/** Sets a key, posts in its own thread and starts a child, all with `nexa` inside the sandbox. */
async function talkFrom(sandbox: 'bwrap' | 'docker') {
  const key = `from/${sandbox}`;
  const ran = await nexa(cluster.home, [
    'run',
    '--sandbox',
    sandbox,
    '--json',
    '--',
    'sh',
    '-c',
    [
      'set -e',
      'command -v nexa',
      `nexa kv set ${key} 1`,
      `nexa say "$NEXA_TASK_ID" "hello from ${sandbox}"`,
      'nexa run --detach -- echo child',
    ].join('\n'),
  ]);
  expect(ran.exitCode, describeRun(ran)).toBe(0);
  const taskId = resultTaskId(ran);

  // The key, as anyone reads it: set by the task.
  const entry = await kvGet(key);
  expect(entry).toMatchObject({ key, value: 1, version: 1 });
  expect(entry?.updatedBy).toContain(taskId);
  // The message, in the task's own thread, written by the task.
  const said = (await threadMessages(cluster.home, taskId)).find((m) => m.body === `hello from ${sandbox}`);
  expect(said?.author).toMatchObject({ taskId, workerName: 'walled' });
  // The child, linked to it.
  const detail: TaskDetail = await showTask(cluster.home, taskId);
  expect(detail.children).toHaveLength(1);
  expect(detail.children[0]).toMatchObject({ parentId: taskId, command: ['echo', 'child'] });
  // The token the task used never shows in its log.
  const logs = await nexa(cluster.home, ['logs', taskId]);
  expect(logs.stdout).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
}

describe.skipIf(!bwrapWorks)('nexa inside a command task', () => {
  it('in bubblewrap: kv set, say in its own thread, a child task, all visible from outside', async () => {
    await talkFrom('bwrap');
  }, 60_000);

  it.skipIf(!docker)(
    'in docker with a busybox image (no node of its own): the same',
    async () => {
      await talkFrom('docker');
    },
    60_000,
  );

  it('a task token in the environment is redacted from the task’s output', async () => {
    const ran = await nexa(cluster.home, [
      'run',
      '--sandbox',
      'bwrap',
      '--',
      'sh',
      '-c',
      'echo "token=$NEXA_TOKEN"',
    ]);
    expect(ran.exitCode, describeRun(ran)).toBe(0);
    expect(ran.stdout).toContain('token=[redacted:NEXA_TOKEN]');
  }, 60_000);
});
