import { spawnSync } from 'node:child_process';
import type { StoredTaskEvent, ThreadMessage } from '@nexa/core';
import { type FakeModelServer, startFakeAnthropic } from '@nexa/worker/testing/fake-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeWorker, describeRun, makeRepo } from './agents.js';
import { type Cluster, startCluster } from './cluster.js';
import { nexa, resultTaskId, showTask } from './harness.js';

/**
 * Two Claude Code agents on two machines talking through the coordinator,
 * each through its own `nexa mcp`: A leaves a value and a message, B (started
 * after A ended, on the other worker) reads both and answers A's message.
 */

const bwrapWorks =
  spawnSync('bwrap', ['--die-with-parent', '--unshare-all', '--ro-bind', '/', '/', 'true']).status === 0;
if (!bwrapWorks && process.env.CI) throw new Error('CI must run the agents-talk test in bubblewrap');

let fake: FakeModelServer;
let cluster: Cluster;
beforeAll(async () => {
  if (!bwrapWorks) return;
  fake = await startFakeAnthropic();
  cluster = await startCluster();
  const { flags, env } = claudeWorker(fake.url);
  // Two workers, each offering bubblewrap; labels pin each agent to its own.
  await cluster.worker('west', [...flags, '--labels', 'host=west'], env);
  await cluster.worker('east', [...flags, '--labels', 'host=east'], env);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  await fake?.close();
});

/** `nexa run PROMPT --agent claude` in bubblewrap on the worker labelled host=HOST; waits for the end. */
async function runAgent(prompt: string, host: string) {
  const ran = await nexa(cluster.home, [
    'run',
    prompt,
    '--agent',
    'claude',
    '--repo',
    makeRepo(),
    '--sandbox',
    'bwrap',
    '--label',
    `host=${host}`,
    '--json',
  ]);
  expect(ran.exitCode, describeRun(ran)).toBe(0);
  return resultTaskId(ran);
}

async function eventsOf(taskId: string): Promise<StoredTaskEvent[]> {
  const logs = await nexa(cluster.home, ['logs', taskId, '--json']);
  expect(logs.exitCode, logs.stderr).toBe(0);
  return logs.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as StoredTaskEvent);
}

/** What each of the agent's calls to tool `tool` gave back, from its task's events. */
function resultsOf(events: StoredTaskEvent[], tool: string): { ok: boolean; output: string }[] {
  const calls = new Set(events.flatMap((e) => (e.kind === 'tool_call' && e.tool === tool ? [e.callId] : [])));
  return events.flatMap((e) =>
    e.kind === 'tool_result' && calls.has(e.callId) ? [{ ok: e.ok, output: e.output }] : [],
  );
}

/** The tool names each agent turn of the task whose prompt contains `marker` was offered. */
function toolsOffered(marker: string): string[][] {
  return fake.requests
    .filter((request) => request.path === '/v1/messages')
    .filter((request) => JSON.stringify(request.body?.messages?.[0] ?? '').includes(marker))
    .map((request) => ((request.body?.tools ?? []) as { name: string }[]).map((tool) => tool.name))
    .filter((names) => names.includes('Bash'));
}

describe.skipIf(!bwrapWorks)('agents on two workers talk through the coordinator', () => {
  it('A sets a key and posts; B, on the other worker, reads both and replies under A’s message', async () => {
    const value = { build: 'green', marker: 'kv-from-west-7f3a' };
    const taskA = await runAgent(
      [
        'agent A (marker agent-a-prompt)',
        `mcp: kv_set ${JSON.stringify({ key: 'handoff/build', value })}`,
        `mcp: post_message ${JSON.stringify({ body: 'A here: the build is green (msg-from-west-51c2)' })}`,
        'say: A finished',
      ].join('\n'),
      'west',
    );
    const shownA = await nexa(cluster.home, ['thread', 'show', taskA, '--json']);
    expect(shownA.exitCode, shownA.stderr).toBe(0);
    // Its prompt (the thread's first message) quotes the text too: A's own message is the one A wrote.
    const fromA = (JSON.parse(shownA.stdout) as { messages: ThreadMessage[] }).messages.find(
      (m) => m.author.kind === 'agent',
    );
    expect(fromA?.body).toBe('A here: the build is green (msg-from-west-51c2)');
    expect(fromA?.author).toMatchObject({ kind: 'agent', name: 'claude', taskId: taskA, workerName: 'west' });
    if (!fromA) throw new Error('A’s message is not in its thread');
    // A's calls went through nexa mcp and are in its events like any tool's.
    const eventsA = await eventsOf(taskA);
    expect(resultsOf(eventsA, 'mcp__nexa__kv_set')).toMatchObject([{ ok: true }]);
    expect(resultsOf(eventsA, 'mcp__nexa__post_message')).toMatchObject([{ ok: true }]);

    const taskB = await runAgent(
      [
        'agent B (marker agent-b-prompt)',
        `mcp: kv_get ${JSON.stringify({ key: 'handoff/build' })}`,
        `mcp: read_thread ${JSON.stringify({ thread_id: taskA })}`,
        `mcp: post_message ${JSON.stringify({ thread_id: taskA, reply_to: fromA.id, body: 'B here: got it (reply-from-east-9d0e)' })}`,
        'say: B finished',
      ].join('\n'),
      'east',
    );
    expect((await showTask(cluster.home, taskA)).workerName).toBe('west');
    expect((await showTask(cluster.home, taskB)).workerName).toBe('east');

    const eventsB = await eventsOf(taskB);
    const [got] = resultsOf(eventsB, 'mcp__nexa__kv_get');
    expect(got).toMatchObject({ ok: true });
    expect(got?.output).toContain('kv-from-west-7f3a');
    const [read] = resultsOf(eventsB, 'mcp__nexa__read_thread');
    expect(read).toMatchObject({ ok: true });
    expect(read?.output).toContain(fromA.id); // the message itself, not only the prompt quoting it
    expect(resultsOf(eventsB, 'mcp__nexa__post_message')).toMatchObject([{ ok: true }]);

    // The thread, as a person reads it: B's reply under A's message, by B on east.
    const shownAfter = JSON.parse((await nexa(cluster.home, ['thread', 'show', taskA, '--json'])).stdout) as {
      messages: ThreadMessage[];
    };
    const fromB = shownAfter.messages.find((m) => m.author.taskId === taskB);
    expect(fromB).toMatchObject({
      body: 'B here: got it (reply-from-east-9d0e)',
      replyTo: fromA.id,
      author: { kind: 'agent', name: 'claude', taskId: taskB, workerName: 'east' },
    });
    const tree = await nexa(cluster.home, ['thread', 'show', taskA]);
    expect(tree.exitCode, tree.stderr).toBe(0);
    const lines = tree.stdout.split('\n');
    const header = (id: string) => lines.findIndex((line) => line.trimStart().startsWith(`${id} `));
    const aLine = header(fromA.id);
    const bLine = header(fromB?.id ?? 'none');
    expect(aLine, tree.stdout).toBeGreaterThanOrEqual(0);
    expect(bLine, tree.stdout).toBeGreaterThan(aLine);
    const indent = (line = '') => line.length - line.trimStart().length;
    expect(indent(lines[bLine]), tree.stdout).toBeGreaterThan(indent(lines[aLine]));
    expect(lines[bLine]).toContain(`claude (${taskB} on east)`);
    expect(lines[bLine + 1]).toContain('B here: got it (reply-from-east-9d0e)');

    // Each agent was offered nexa's tools on every turn.
    const nexaTools = [
      'mcp__nexa__kv_set',
      'mcp__nexa__kv_get',
      'mcp__nexa__post_message',
      'mcp__nexa__read_thread',
    ];
    for (const marker of ['agent-a-prompt', 'agent-b-prompt']) {
      const turns = toolsOffered(marker);
      expect(turns.length, marker).toBeGreaterThanOrEqual(3);
      for (const offered of turns) expect(offered).toEqual(expect.arrayContaining(nexaTools));
    }
  }, 240_000);
});
