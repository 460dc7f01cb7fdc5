import { spawnSync } from 'node:child_process';
import { limits, type Task } from '@nexa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentRun, type ClaudeCluster, describeRun, startClaudeCluster } from './agents.js';
import { type Daemon, nexa, nexaInBackground, resultTaskId } from './harness.js';
import { eventsOf, toolResults } from './taskEvents.js';

/**
 * Agents starting agents, through their `nexa mcp`'s spawn_task: the limits
 * against a runaway (children per task, depth) refuse clearly, and cancelling
 * a parent cancels its children on whichever worker each runs.
 */

let cluster: ClaudeCluster;
const workers: Daemon[] = [];
beforeAll(async () => {
  cluster = await startClaudeCluster();
  workers.push(await cluster.agentWorker('parents', ['--labels', 'role=parent', '--capacity', '4']));
  workers.push(await cluster.agentWorker('children', ['--labels', 'role=child', '--capacity', '4']));
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const spawn = (spec: object) => `mcp: spawn_task ${JSON.stringify(spec)}`;
const onChildren = { role: 'child' };

/** `nexa run PROMPT --agent claude` on the parents' worker (children inherit its process sandbox and --approve all). */
function runParent(prompt: string) {
  return nexaInBackground(
    cluster.home,
    agentRun(prompt, { flags: ['--approve', 'all', '--label', 'role=parent', '--json'] }),
  );
}

/** What each spawn_task call of the task's agent gave back, in order. */
async function spawnResults(taskId: string): Promise<{ ok: boolean; output: string }[]> {
  return toolResults(await eventsOf(cluster.home, taskId), 'mcp__nexa__spawn_task');
}

/** The task a person started (no parent) whose prompt holds `text`, once it exists. */
async function rootTaskWith(text: string): Promise<string> {
  for (;;) {
    const tasks = await cluster.observer.api.tasks.list.query({ limit: 50 });
    const found = tasks.find((task) => task.parentId === null && task.prompt?.includes(text));
    if (found) return found.id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const finished = (task: Task) => ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(task.status);

describe('sub-tasks started by agents', () => {
  it('a task may start 10 children; the 11th is refused, saying so', async () => {
    const { childrenPerTask } = limits.subtasks;
    const lines = Array.from({ length: childrenPerTask + 1 }, (_, i) =>
      spawn({ command: ['echo', `child ${i + 1}`], labels: onChildren }),
    );
    const ran = await runParent([...lines, 'say: spawned'].join('\n')).result;
    expect(ran.exitCode, describeRun(ran)).toBe(0);
    const parentId = resultTaskId(ran);
    const results = await spawnResults(parentId);
    expect(results).toHaveLength(childrenPerTask + 1);
    expect(results.slice(0, childrenPerTask).every((r) => r.ok)).toBe(true);
    expect(results.at(-1)).toMatchObject({ ok: false });
    expect(results.at(-1)?.output).toContain(
      `task ${parentId} has started ${childrenPerTask} tasks, the limit for one task`,
    );
    // The children it did start are linked to it, ran on the other worker, and finished.
    const parent = await cluster.observer.waitForTask(parentId, (t) => t.children.every(finished));
    expect(parent.children).toHaveLength(childrenPerTask);
    for (const child of parent.children)
      expect(child).toMatchObject({ parentId, status: 'succeeded', workerName: 'children' });
    const shown = await nexa(cluster.home, ['tasks', 'show', parentId]);
    for (const child of parent.children) expect(shown.stdout).toContain(child.id);
  }, 180_000);

  it(`a task at depth ${limits.subtasks.depth} may not start tasks`, async () => {
    // depth 0 (a person's task) → 1 → 2 → 3, each a Claude Code agent; the last tries once more.
    let prompt = [
      `depth ${limits.subtasks.depth}`,
      spawn({ command: ['echo', 'too deep'], labels: onChildren }),
      'say: refused',
    ].join('\n');
    for (let depth = limits.subtasks.depth - 1; depth >= 1; depth--)
      prompt = [`depth ${depth}`, spawn({ prompt, labels: onChildren }), `say: depth ${depth} spawned`].join(
        '\n',
      );
    const ran = await runParent(
      [`depth 0`, spawn({ prompt, labels: onChildren }), 'say: depth 0 spawned'].join('\n'),
    ).result;
    expect(ran.exitCode, describeRun(ran)).toBe(0);

    // Down the chain: each task has one child, until the deepest, which has none.
    let task = await cluster.observer.task(resultTaskId(ran));
    for (let depth = 1; depth <= limits.subtasks.depth; depth++) {
      const parent = task;
      const linked = await cluster.observer
        .waitForTask(
          parent.id,
          (t) => t.children.length === 1 || (finished(t) && t.children.length === 0),
          120_000,
        )
        .then(async (t) => {
          if (t.children.length === 1) return t;
          const logs = await nexa(cluster.home, ['logs', t.id]);
          throw new Error(`task ${t.id} at depth ${depth - 1} started no child; its log:\n${logs.stdout}`);
        });
      task = await cluster.observer.waitForTask(linked.children[0]?.id ?? '', finished, 120_000);
      expect(task, `depth ${depth}`).toMatchObject({
        parentId: parent.id,
        agent: 'claude',
        status: 'succeeded',
      });
    }
    expect(task.children).toEqual([]);
    const [refused] = await spawnResults(task.id);
    expect(refused).toMatchObject({ ok: false });
    expect(refused?.output).toContain(
      `task ${task.id} is at depth ${limits.subtasks.depth}, the limit: it may not start tasks`,
    );
  }, 300_000);

  it('cancelling the parent cancels every child, on either worker', async () => {
    // A duration of this run's own, so its processes are told from any other run's.
    const seconds = String(6000 + Math.floor(Math.random() * 3000));
    const forever = ['sleep', seconds];
    const run = runParent(
      [
        spawn({ command: forever, labels: onChildren }),
        spawn({ command: forever, labels: { role: 'parent' } }),
        spawn({ command: forever, labels: onChildren }),
        `run: sleep ${seconds}`,
      ].join('\n'),
    );
    const parentId = await rootTaskWith(`run: sleep ${seconds}`);
    const parent = await cluster.observer.waitForTask(
      parentId,
      (t) =>
        finished(t) ||
        (t.status === 'running' &&
          t.children.length === 3 &&
          t.children.every((c) => c.status === 'running')),
      120_000,
    );
    if (finished(parent)) {
      const logs = await nexa(cluster.home, ['logs', parentId]);
      throw new Error(
        `the parent ended before it was cancelled; its log:\n${logs.stdout}\n${workers.map((w) => w.log.slice(-3000)).join('\n')}`,
      );
    }
    expect(parent.children.map((c) => c.workerName).sort()).toEqual(['children', 'children', 'parents']);

    const cancelled = await nexa(cluster.home, ['cancel', parentId]);
    expect(cancelled.exitCode, describeRun(cancelled)).toBe(0);
    const ran = await run.result;
    expect(ran.exitCode, describeRun(ran)).toBe(130);
    const after = await cluster.observer.waitForTask(parentId, (t) => t.children.every(finished));
    expect(after.status).toBe('cancelled');
    expect(after.children.map((c) => c.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    // Their processes are gone from both workers (they ran here, unwalled).
    expect(spawnSync('pgrep', ['-fx', `sleep ${seconds}`]).stdout.toString()).toBe('');
  }, 180_000);
});
