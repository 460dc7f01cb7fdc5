import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentRun,
  approvalsOf,
  type ClaudeCluster,
  describeRun,
  pendingApproval,
  startClaudeCluster,
  writePolicy,
} from './agents.js';
import { nexa, nexaInBackground } from './harness.js';
import { newThread, say } from './threads.js';

/**
 * The token an agent's `nexa mcp` holds, taken from inside the running task
 * as a hostile agent would (every process's environment it can see), and
 * used with the plain `nexa` CLI: it works in its own project while its
 * attempt runs, and for nothing else.
 */

let cluster: ClaudeCluster;
beforeAll(async () => {
  cluster = await startClaudeCluster();
  await cluster.agentWorker('agents');
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

/** A JWT's claims, unverified: enough to tell the task's token from others found lying around. */
function claims(token: string): { sub?: string; role?: string } {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return {};
  }
}

describe('a task token', () => {
  it('works only in its own project, cannot approve, and is refused once its attempt ended', async () => {
    // Another project's thread and key, made by a person.
    expect((await nexa(cluster.home, ['projects', 'create', 'other'])).exitCode).toBe(0);
    const otherThread = await newThread(cluster.home, 'plans of project other', '--project', 'other');
    await say(cluster.home, otherThread, 'the other project’s secret plan');
    expect(
      (await nexa(cluster.home, ['kv', 'set', 'launch-code', '"0000"', '--project', 'other'])).exitCode,
    ).toBe(0);

    // The agent copies every NEXA_TOKEN it can see, then waits on an approval (its attempt still running).
    const dir = mkdtempSync(join(tmpdir(), 'nexa-task-token-'));
    const stolen = join(dir, 'tokens');
    const grab = `for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < "$f" 2>/dev/null; done | grep '^NEXA_TOKEN=.' | sort -u > ${stolen}`;
    const run = nexaInBackground(
      cluster.home,
      agentRun(`run: ${grab}\nrun: touch held-until-answered.txt`, {
        flags: ['--policy', writePolicy([{ tool: 'Bash', command: 'for f in *', decision: 'allow' }])],
      }),
    );
    const taskId = await cluster.nextTask();
    const held = await pendingApproval(cluster.home, taskId).catch(async (error) => {
      const logs = await nexa(cluster.home, ['logs', taskId]);
      throw new Error(`${error.message}; its log:\n${logs.stdout}${logs.stderr}`);
    });
    expect(held.command).toBe('touch held-until-answered.txt');
    const token = readFileSync(stolen, 'utf8')
      .split('\n')
      .map((line) => line.replace(/^NEXA_TOKEN=/, ''))
      .find((candidate) => claims(candidate).sub === `task:${taskId}`);
    if (!token)
      throw new Error(`no task token among what the agent could see:\n${readFileSync(stolen, 'utf8')}`);
    expect(claims(token).role).toBe('task');
    const asTask = (args: string[]) => nexa(cluster.home, args, { NEXA_TOKEN: token });

    // While the attempt runs: its own project works (so the refusals below are about scope, not a dead token).
    const own = await asTask(['kv', 'set', 'agent-note', '"written by the agent"']);
    expect(own.exitCode, describeRun(own)).toBe(0);
    expect((await asTask(['thread', 'show', taskId])).exitCode).toBe(0);

    // Another project: refused by name, or not there at all; nothing of it is printed.
    for (const args of [
      ['threads', 'list', '--project', 'other'],
      ['kv', 'get', 'launch-code', '--project', 'other'],
      ['kv', 'list', '--project', 'other'],
      ['kv', 'set', 'launch-code', '"1234"', '--project', 'other'],
    ]) {
      const refused = await asTask(args);
      expect(refused.exitCode, `${args.join(' ')}: ${describeRun(refused)}`).not.toBe(0);
      expect(refused.stderr).toContain('a task token works only in its own project');
      expect(refused.stdout).not.toContain('0000');
    }
    const otherShown = await asTask(['thread', 'show', otherThread]);
    expect(otherShown.exitCode).not.toBe(0);
    expect(otherShown.stderr).toMatch(/not found|no thread/i);
    expect(otherShown.stdout + otherShown.stderr).not.toContain('secret plan');
    expect(
      JSON.parse(
        (await nexa(cluster.home, ['kv', 'get', 'launch-code', '--project', 'other', '--json'])).stdout,
      ),
    ).toMatchObject({ value: '0000', version: 1 });

    // It cannot answer its own approval (nor any), nor make itself a token.
    const approved = await asTask(['approve', held.id]);
    expect(approved.exitCode).not.toBe(0);
    expect(approved.stderr).toMatch(/forbidden|not allowed|may not|cannot/i);
    expect((await approvalsOf(cluster.home, taskId)).find((a) => a.id === held.id)?.status).toBe('pending');
    expect((await asTask(['token', 'create', '--role', 'admin'])).exitCode).not.toBe(0);

    // A person answers; the task ends; the token is refused from then on, saying why.
    expect((await nexa(cluster.home, ['approve', held.id])).exitCode).toBe(0);
    const ran = await run.result;
    expect(ran.exitCode, describeRun(ran)).toBe(0);
    const late = await asTask(['kv', 'get', 'agent-note']);
    expect(late.exitCode).not.toBe(0);
    expect(late.stderr).toContain(`the task's attempt 1 has ended`);
    expect(late.stdout).not.toContain('written by the agent');
  }, 180_000);
});
