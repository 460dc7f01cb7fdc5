import { type FakeModelServer, startFakeOpenAI } from '@nexa/worker/testing/fake-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codexWorker, describeRun, makeRepo } from './agents.js';
import { type Cluster, startCluster } from './cluster.js';
import { nexa } from './harness.js';

let fake: FakeModelServer;
let cluster: Cluster;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  cluster = await startCluster();
  const { flags, env } = codexWorker(fake.url);
  // Claude Code may be on PATH here (node_modules/.bin): a bad --agent-bin makes this worker go without it.
  await cluster.worker('codex', [...flags, '--agent-bin', 'claude=/nonexistent/claude'], env);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  await fake?.close();
});

describe('Codex through nexa run', () => {
  it('streams its command executions, messages and usage as events; the change is in the task branch', async () => {
    const repo = makeRepo();
    const ran = await nexa(cluster.home, [
      'run',
      'run: echo from codex > codex.txt\nrun: sh -c "exit 3"',
      '--agent',
      'codex',
      '--repo',
      repo,
      '--sandbox',
      'process',
      '--json',
    ]);
    expect(ran.exitCode, describeRun(ran)).toBe(0);
    const events = ran.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const taskId = String(events.at(-1)?.taskId);
    const kinds = events.map((e) => e.kind);
    expect(kinds).toContain('agent_message');
    const calls = events.filter((e) => e.kind === 'tool_call');
    expect(calls.map((c) => c.title)).toEqual(['run `echo from codex > codex.txt`', 'run `sh -c "exit 3"`']);
    expect(events.filter((e) => e.kind === 'tool_result').map((r) => r.ok)).toEqual([true, false]);
    expect(events.find((e) => e.kind === 'usage')).toMatchObject({
      inputTokens: expect.any(Number),
      outputTokens: expect.any(Number),
    });
    const workers = JSON.parse((await nexa(cluster.home, ['workers', 'list', '--json'])).stdout);
    expect(workers[0].agents).toEqual(['shell', 'codex', 'acp']);
    const diff = await nexa(cluster.home, ['diff', taskId]);
    expect(diff.stdout).toContain('+from codex');
    // Printed for a person: the agent's words on stdout, its tool calls on stderr.
    const plain = await nexa(cluster.home, ['logs', taskId]);
    expect(plain.stderr).toContain('→ shell: run `echo from codex > codex.txt`');
    expect(plain.stdout).toContain('done');
  }, 120_000);

  it('waits, saying why, when no worker has the agent asked for', async () => {
    const ran = await nexa(cluster.home, ['run', 'hello', '--agent', 'claude', '--detach']);
    const taskId = ran.stdout.trim();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const task = JSON.parse((await nexa(cluster.home, ['tasks', 'show', taskId, '--json'])).stdout);
    expect(task).toMatchObject({ status: 'queued' });
    expect(task.waitingFor).toContain('has the claude agent');
    await nexa(cluster.home, ['cancel', taskId]);
  }, 60_000);
});
