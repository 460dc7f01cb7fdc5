import type { KvEntry, StoredTaskEvent } from '@nexa/core';
import { type FakeModelServer, startFakeOpenAI } from '@nexa/worker/testing/fake-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentRun,
  approvalsOf,
  type ClaudeCluster,
  codexWorker,
  describeRun,
  startClaudeCluster,
} from './agents.js';
import { nexa, nexaInBackground, resultTaskId } from './harness.js';
import { type AgentTurn, turnsOf } from './modelRequests.js';
import { bwrapWorks } from './walls.js';

/**
 * A person's message in a running agent task's thread (`nexa say TASK`) is
 * the agent's next user turn: Claude Code through its stream-json input, an
 * ACP agent as the next session/prompt. The agent is kept busy by a slow
 * command while the message is posted, so it arrives mid-turn and must wait
 * for the turn to end.
 */

if (!bwrapWorks && process.env.CI) throw new Error('CI must run the follow-up tests in bubblewrap');

let fakeOpenAI: FakeModelServer;
let cluster: ClaudeCluster;
beforeAll(async () => {
  fakeOpenAI = await startFakeOpenAI();
  cluster = await startClaudeCluster();
  await cluster.agentWorker('agents', ['--labels', 'for=claude']);
  const codex = codexWorker(fakeOpenAI.url);
  await cluster.worker('codex', [...codex.flags, '--labels', 'for=codex'], codex.env);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  await fakeOpenAI?.close();
});

/** The agent turns (requests offering tools) of the conversation whose first message holds `marker`, as text. */
function agentTurns(marker: string): AgentTurn['messages'][] {
  return turnsOf(cluster.fake, marker).map((turn) => turn.messages);
}

const isSleeping = (event: StoredTaskEvent) =>
  event.kind === 'tool_call' && JSON.stringify(event).includes('sleep 3');

/** Runs an agent on a slow step, says something to it mid-step, and returns the run's result and task id. */
async function followUpWhileBusy(marker: string, agentFlags: string[]) {
  const run = nexaInBackground(
    cluster.home,
    agentRun([`follow-up test (${marker})`, 'run: sleep 3', 'say: first turn over'].join('\n'), {
      agent: agentFlags,
      flags: ['--approve', 'all', '--label', 'for=claude'],
    }),
  );
  const taskId = await cluster.nextTask();
  await cluster.observer.waitForEvent(taskId, isSleeping);
  const said = await nexa(cluster.home, ['say', taskId, `also check the changelog (${marker}-follow-up)`]);
  expect(said.exitCode, describeRun(said)).toBe(0);
  const ran = await run.result;
  expect(ran.exitCode, describeRun(ran)).toBe(0);
  return { ran, taskId };
}

/** The follow-up came as a user turn of its own, after the slow step's result, in the same conversation. */
function expectFollowUpTurn(marker: string, taskId: string) {
  const turns = agentTurns(marker);
  const withFollowUp = turns.filter((messages) =>
    messages.some((m) => m.role === 'user' && m.text.includes(`${marker}-follow-up`)),
  );
  expect(withFollowUp.length, JSON.stringify(turns.at(-1))).toBeGreaterThanOrEqual(1);
  const [first] = withFollowUp;
  if (!first) return;
  const last = first.at(-1);
  expect(last?.role).toBe('user');
  expect(last?.text).toContain(`Message from `);
  expect(last?.text).toContain(`in thread ${taskId}`);
  expect(last?.text).toContain(`${marker}-follow-up`);
  // The earlier conversation is all there before it: the prompt, the sleep's call and result, the first answer.
  const before = first
    .slice(0, -1)
    .map((m) => m.text)
    .join('\n');
  expect(before).toContain(`follow-up test (${marker})`);
  expect(before).toContain('first turn over');
  // And it came after the turn that was running when it was posted: no earlier request carries it.
  const firstIndex = turns.indexOf(first);
  expect(firstIndex).toBeGreaterThan(0);
}

describe('follow-ups to a running agent', () => {
  it('Claude Code: nexa say TASK reaches the agent as its next user turn', async () => {
    const { ran, taskId } = await followUpWhileBusy('claude-fu-3b1c', ['--agent', 'claude']);
    expectFollowUpTurn('claude-fu-3b1c', taskId);
    // The agent answered it: its second answer is in the output after the first.
    expect(ran.stdout.match(/first turn over/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('ACP (claude-agent-acp): the same, as the next session/prompt', async () => {
    const { taskId } = await followUpWhileBusy('acp-fu-8e2d', [
      '--agent',
      'acp',
      '--agent-cmd',
      'claude-agent-acp',
    ]);
    expectFollowUpTurn('acp-fu-8e2d', taskId);
  }, 180_000);
});

describe.skipIf(!bwrapWorks)('nexa tools in a walled sandbox', () => {
  it('a Claude Code task in bubblewrap sets a key through nexa mcp; a person reads it', async () => {
    const value = { marker: 'walled-kv-5c7e' };
    const ran = await nexa(
      cluster.home,
      agentRun(`walled kv\nmcp: kv_set ${JSON.stringify({ key: 'walled/claude', value })}\nsay: set`, {
        sandbox: 'bwrap',
        flags: ['--label', 'for=claude'],
      }),
    );
    expect(ran.exitCode, describeRun(ran)).toBe(0);
    const got = await cluster.observer.api.kv.get.query({ key: 'walled/claude' });
    expect(got as KvEntry | null).toMatchObject({ key: 'walled/claude', value, version: 1 });
  }, 180_000);
});

/**
 * What each agent puts in its permission request for an MCP tool: Claude Code
 * mcp__nexa__kv_set (allowed by --allowedTools); claude-agent-acp kind "other"
 * titled mcp__nexa__kv_set, its name in _meta.claudeCode.toolName; Codex 0.169
 * asks for none (it finds nexa's tools through its tool_search, namespace
 * mcp__nexa). None may wait for a person.
 */
describe("nexa's own tools never wait in the approvals queue", () => {
  /** Runs an agent that calls kv_set through nexa mcp, asking a person for anything else (the default). */
  async function kvSetThrough(agentFlags: string[], key: string, label: string) {
    const ran = await nexa(
      cluster.home,
      agentRun(`own tools\nmcp: kv_set ${JSON.stringify({ key, value: 'set' })}\nsay: set it`, {
        agent: agentFlags,
        flags: ['--label', `for=${label}`, '--timeout', '40s', '--json'],
      }),
    );
    expect(ran.exitCode, describeRun(ran)).toBe(0);
    const taskId = resultTaskId(ran);
    expect(await approvalsOf(cluster.home, taskId)).toEqual([]);
    expect(await cluster.observer.api.kv.get.query({ key }), ran.stdout).toMatchObject({ key, value: 'set' });
  }

  it('Claude Code', async () => {
    await kvSetThrough(['--agent', 'claude'], 'own/claude', 'claude');
  }, 180_000);

  it('ACP (claude-agent-acp)', async () => {
    await kvSetThrough(['--agent', 'acp', '--agent-cmd', 'claude-agent-acp'], 'own/acp', 'claude');
  }, 180_000);

  it('Codex', async () => {
    await kvSetThrough(['--agent', 'codex'], 'own/codex', 'codex');
  }, 180_000);
});
