import { type FakeModelServer, startFakeOpenAI } from '@nexa/worker/testing/fake-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalsOf, codexWorker, describeRun, makeRepo, pendingApproval } from './agents.js';
import { type Cluster, startCluster } from './cluster.js';
import { nexa, nexaInBackground, showTask } from './harness.js';

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
      '--approve',
      'all',
      '--json',
    ]);
    expect(ran.exitCode, describeRun(ran)).toBe(0);
    const events = ran.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const taskId = String(events.at(-1)?.taskId);
    expect(await cluster.nextTask()).toBe(taskId);
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

  it('asks before running a command: it waits in nexa approvals list and runs after nexa approve', async () => {
    const run = nexaInBackground(cluster.home, [
      'run',
      'run: echo approved > approved.txt',
      '--agent',
      'codex',
      '--repo',
      makeRepo(),
      '--sandbox',
      'process',
    ]);
    const taskId = await cluster.nextTask();
    const request = await pendingApproval(cluster.home, taskId);
    expect(request).toMatchObject({
      taskId,
      agent: 'codex',
      status: 'pending',
      tool: 'shell',
      action: 'run `echo approved > approved.txt`',
      command: 'echo approved > approved.txt',
      risk: 'execute',
    });
    const listed = await nexa(cluster.home, ['approvals', 'list']);
    expect(listed.stdout).toContain(request.id);

    const approved = await nexa(cluster.home, ['approve', request.id]);
    expect(approved.exitCode, approved.stderr).toBe(0);
    const ran = await run.result;
    expect(ran.exitCode, describeRun(ran)).toBe(0);
    expect(ran.stderr).toContain(`nexa approve ${request.id}`);
    expect(ran.stderr).toMatch(new RegExp(`approval ${request.id} approved by \\S+`));
    expect(ran.stdout).toContain('done');
    expect((await nexa(cluster.home, ['diff', taskId])).stdout).toContain('+approved');
    const [decided] = await approvalsOf(cluster.home, taskId);
    expect(decided).toMatchObject({ id: request.id, status: 'approved' });
  }, 120_000);

  it('waits, saying why, when no worker has the agent asked for', async () => {
    const ran = await nexa(cluster.home, ['run', 'hello', '--agent', 'claude', '--detach']);
    const taskId = ran.stdout.trim();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const task = await showTask(cluster.home, taskId);
    expect(task).toMatchObject({ status: 'queued' });
    expect(task.waitingFor).toContain('has the claude agent');
    await nexa(cluster.home, ['cancel', taskId]);
  }, 60_000);
});
