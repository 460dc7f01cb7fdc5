import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentRun, type ClaudeCluster, describeRun, startClaudeCluster } from './agents.js';
import { nexa, resultTaskId, showTask } from './harness.js';
import { turnsOf } from './modelRequests.js';
import { eventsOf, toolResults } from './taskEvents.js';
import { threadMessages } from './threads.js';
import { bwrapWorks } from './walls.js';

/**
 * Two Claude Code agents on two machines talking through the coordinator,
 * each through its own `nexa mcp`: A leaves a value and a message, B (started
 * after A ended, on the other worker) reads both and answers A's message.
 */

if (!bwrapWorks && process.env.CI) throw new Error('CI must run the agents-talk test in bubblewrap');

let cluster: ClaudeCluster;
beforeAll(async () => {
  if (!bwrapWorks) return;
  cluster = await startClaudeCluster();
  // Two workers, each offering bubblewrap; labels pin each agent to its own.
  await cluster.agentWorker('west', ['--labels', 'host=west']);
  await cluster.agentWorker('east', ['--labels', 'host=east']);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

/** `nexa run PROMPT --agent claude` in bubblewrap on the worker labelled host=HOST; waits for the end. */
async function runAgent(prompt: string, host: string) {
  const ran = await nexa(
    cluster.home,
    agentRun(prompt, { sandbox: 'bwrap', flags: ['--label', `host=${host}`, '--json'] }),
  );
  expect(ran.exitCode, describeRun(ran)).toBe(0);
  return resultTaskId(ran);
}

/** The tool names each agent turn of the task whose prompt contains `marker` was offered. */
function toolsOffered(marker: string): string[][] {
  return turnsOf(cluster.fake, marker)
    .map((turn) => turn.tools)
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
    // Its prompt (the thread's first message) quotes the text too: A's own message is the one A wrote.
    const fromA = (await threadMessages(cluster.home, taskA)).find((m) => m.author.kind === 'agent');
    expect(fromA?.body).toBe('A here: the build is green (msg-from-west-51c2)');
    expect(fromA?.author).toMatchObject({ kind: 'agent', name: 'claude', taskId: taskA, workerName: 'west' });
    if (!fromA) throw new Error('A’s message is not in its thread');
    // A's calls went through nexa mcp and are in its events like any tool's.
    const eventsA = await eventsOf(cluster.home, taskA);
    expect(toolResults(eventsA, 'mcp__nexa__kv_set')).toMatchObject([{ ok: true }]);
    expect(toolResults(eventsA, 'mcp__nexa__post_message')).toMatchObject([{ ok: true }]);

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

    const eventsB = await eventsOf(cluster.home, taskB);
    const [got] = toolResults(eventsB, 'mcp__nexa__kv_get');
    expect(got).toMatchObject({ ok: true });
    expect(got?.output).toContain('kv-from-west-7f3a');
    const [read] = toolResults(eventsB, 'mcp__nexa__read_thread');
    expect(read).toMatchObject({ ok: true });
    expect(read?.output).toContain(fromA.id); // the message itself, not only the prompt quoting it
    expect(toolResults(eventsB, 'mcp__nexa__post_message')).toMatchObject([{ ok: true }]);

    // The thread, as a person reads it: B's reply under A's message, by B on east.
    const fromB = (await threadMessages(cluster.home, taskA)).find((m) => m.author.taskId === taskB);
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
