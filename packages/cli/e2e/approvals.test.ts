import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentRun,
  approvalsOf,
  type ClaudeCluster,
  describeRun,
  makeRepo,
  pendingApproval,
  startClaudeCluster,
  writePolicy,
} from './agents.js';
import { nexa, nexaBin, nexaInBackground, showTask } from './harness.js';

let cluster: ClaudeCluster;
beforeAll(async () => {
  cluster = await startClaudeCluster();
  await cluster.agentWorker('agents');
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

/** `nexa run PROMPT --agent claude` on a repository, unwalled (the walled case has its own test). */
function runClaude(prompt: string, flags: string[] = []) {
  return nexaInBackground(cluster.home, agentRun(prompt, { flags }));
}

describe('Claude Code through the approvals queue', () => {
  it('asks before running Bash; nexa approve lets it run and the file is in the task branch', async () => {
    const watch = execa(process.execPath, [nexaBin, 'approvals', 'list', '--watch', '--json'], {
      env: cluster.home.env,
      reject: false,
    });
    let watched = '';
    watch.stdout?.on('data', (chunk: Buffer) => {
      watched += chunk.toString();
    });
    const run = runClaude('run: echo hello > made.txt');
    const taskId = await cluster.nextTask();
    const request = await pendingApproval(cluster.home, taskId);
    const listed = await nexa(cluster.home, ['approvals', 'list', '--status', 'pending']);
    expect(listed.stdout).toContain(request.id);
    expect(listed.stdout).toContain('Bash: run `echo hello > made.txt`');
    expect(request).toMatchObject({
      taskId,
      status: 'pending',
      tool: 'Bash',
      risk: 'execute',
      command: 'echo hello > made.txt',
      decidedBy: null,
    });
    const task = await showTask(cluster.home, taskId);
    expect(task.status).toBe('waiting_approval');
    const shown = await nexa(cluster.home, ['tasks', 'show', taskId]);
    expect(shown.stdout).toMatch(/Prompt:\s+claude: run: echo hello > made\.txt/);
    expect((await nexa(cluster.home, ['tasks', 'list'])).stdout).toMatch(
      new RegExp(`${taskId}\\s+waiting_approval`),
    );

    const approved = await nexa(cluster.home, ['approve', request.id]);
    expect(approved).toMatchObject({ exitCode: 0 });
    expect(approved.stdout).toContain(`${request.id} approved`);

    const ran = await run.result;
    expect(ran.exitCode, describeRun(ran)).toBe(0);
    // It said on stderr how to answer, then who did.
    expect(ran.stderr).toContain(`nexa approve ${request.id}`);
    expect(ran.stderr).toMatch(new RegExp(`approval ${request.id} approved by \\S+`));
    expect(ran.stdout).toContain('done');
    const diff = await nexa(cluster.home, ['diff', taskId]);
    expect(diff.stdout).toContain('+++ b/made.txt');
    expect(diff.stdout).toContain('+hello');
    expect(diff.stdout).not.toContain('.nexa/'); // the agent's own home stays out of the task's changes
    const [decided] = await approvalsOf(cluster.home, taskId);
    expect(decided).toMatchObject({ status: 'approved', rule: null });
    expect(decided?.decidedBy).toBeTruthy();
    // --watch printed the request when it came and again when it was decided, one JSON object per line.
    watch.kill('SIGINT');
    expect((await watch).exitCode).toBe(0);
    const seen = watched
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; status: string })
      .filter((a) => a.id === request.id)
      .map((a) => a.status);
    expect(seen).toEqual(['pending', 'approved']);
  }, 120_000);

  it('nexa deny makes the tool fail, the run goes on, and --fail-on-deny exits 77', async () => {
    const run = runClaude('run: rm -rf README.md\nsay: finished anyway', ['--fail-on-deny']);
    const taskId = await cluster.nextTask();
    const request = await pendingApproval(cluster.home, taskId);
    const denied = await nexa(cluster.home, ['deny', request.id, '--reason', 'keep the readme']);
    expect(denied.exitCode, denied.stderr).toBe(0);

    const ran = await run.result;
    expect(ran.exitCode, describeRun(ran)).toBe(77);
    expect(ran.stdout).toContain('finished anyway'); // the agent carried on after the refusal
    expect(ran.stdout).toContain('keep the readme'); // and was told why
    expect(ran.stderr).toContain(`approval ${request.id} denied by`);
    expect(ran.stderr).toContain('--fail-on-deny');
    const task = await showTask(cluster.home, taskId);
    expect(task.status).toBe('succeeded');
    expect((await nexa(cluster.home, ['diff', taskId])).stdout).not.toContain('README.md');
    const [decided] = await approvalsOf(cluster.home, taskId);
    expect(decided).toMatchObject({ status: 'denied', reason: 'keep the readme' });
  }, 120_000);

  it('a policy allows echo and denies rm without a person, naming the rule', async () => {
    const policy = writePolicy([
      { tool: 'Bash', command: 'echo *', decision: 'allow' },
      { name: 'no deletes', tool: 'Bash', command: 'rm *', decision: 'deny' },
    ]);
    const run = runClaude('run: echo hi > kept.txt\nrun: rm -f kept.txt', ['--policy', policy]);
    const ran = await run.result;
    expect(ran.exitCode, describeRun(ran)).toBe(0);
    const taskId = await cluster.nextTask();
    const decided = (await approvalsOf(cluster.home, taskId)).reverse();
    expect(decided).toMatchObject([
      {
        command: 'echo hi > kept.txt',
        status: 'approved',
        decidedBy: 'policy',
        rule: 'task rule 1: allow tool=Bash command="echo *"',
      },
      {
        command: 'rm -f kept.txt',
        status: 'denied',
        decidedBy: 'policy',
        rule: 'task rule 2: no deletes (deny tool=Bash command="rm *")',
      },
    ]);
    expect(ran.stderr).toContain('[task rule 2: no deletes');
    expect((await nexa(cluster.home, ['diff', taskId])).stdout).toContain('+hi');
  }, 120_000);

  it('the project policy decides too, after the task rules', async () => {
    const policy = writePolicy([{ name: 'read-only project', risk: 'execute', decision: 'deny' }]);
    expect((await nexa(cluster.home, ['policy', 'set', policy])).exitCode).toBe(0);
    try {
      const shown = await nexa(cluster.home, ['policy', 'show']);
      expect(shown.stdout).toContain('1. read-only project (deny risk=execute)');
      const ran = await runClaude('run: echo nope > x.txt', ['--fail-on-deny']).result;
      expect(ran.exitCode, describeRun(ran)).toBe(77);
      expect(ran.stderr).toContain('project rule 1: read-only project');
    } finally {
      await nexa(cluster.home, ['policy', 'set', writePolicy([])]);
    }
  }, 120_000);

  it('denies a request nobody answers after --approval-timeout, and records why', async () => {
    const ran = await runClaude('run: echo late > late.txt', ['--approval-timeout', '2s', '--fail-on-deny'])
      .result;
    expect(ran.exitCode, describeRun(ran)).toBe(77);
    const taskId = await cluster.nextTask();
    const [decided] = await approvalsOf(cluster.home, taskId);
    expect(decided).toMatchObject({ status: 'denied', decidedBy: 'timeout', reason: 'no answer within 2s' });
    expect(ran.stderr).toContain('denied by timeout');
  }, 120_000);

  it('cancelling a task that waits on an approval ends it cancelled and the request expired', async () => {
    const run = runClaude('run: echo never > never.txt');
    const taskId = await cluster.nextTask();
    const request = await pendingApproval(cluster.home, taskId);
    expect((await nexa(cluster.home, ['cancel', taskId])).exitCode).toBe(0);
    const ran = await run.result;
    expect(ran.exitCode, describeRun(ran)).toBe(130);
    const [expired] = await approvalsOf(cluster.home, taskId);
    expect(expired).toMatchObject({ id: request.id, status: 'expired', decidedBy: 'nexa' });
    const late = await nexa(cluster.home, ['approve', request.id]);
    expect(late.exitCode).toBe(125);
    expect(late.stderr).toContain(`approval ${request.id} is already expired`);
  }, 120_000);

  it('runs Claude Code walled in bubblewrap by default, reaching only its model', async () => {
    const repo = makeRepo();
    const ran = await nexa(cluster.home, [
      'run',
      'run: echo walled > w.txt; id -u; ls /root',
      '--agent',
      'claude',
      '--repo',
      repo,
      '--approve',
      'all',
    ]);
    expect(ran.exitCode, describeRun(ran)).toBe(0);
    expect(ran.stderr).toContain('approved by policy [--approve all]');
    // The answer quotes the last tool result: the command ran as nobody, and /root is not there.
    expect(ran.stdout).toContain('65534');
    expect(ran.stdout).toMatch(/ls: .*\/root/);
    const taskId = await cluster.nextTask();
    const task = await showTask(cluster.home, taskId);
    expect(task.sandbox).toBeNull(); // the worker's default: a walled sandbox
    expect((await nexa(cluster.home, ['diff', taskId])).stdout).toContain('+walled');
  }, 120_000);

  it('takes the same approval flow through the ACP adapter of Claude Code', async () => {
    const run = nexaInBackground(
      cluster.home,
      agentRun('run: touch via-acp.txt', { agent: ['--agent', 'acp', '--agent-cmd', 'claude-agent-acp'] }),
    );
    const taskId = await cluster.nextTask();
    const request = await pendingApproval(cluster.home, taskId);
    expect(request).toMatchObject({ tool: 'execute', risk: 'execute', command: 'touch via-acp.txt' });
    expect((await nexa(cluster.home, ['approve', request.id])).exitCode).toBe(0);
    const ran = await run.result;
    expect(ran.exitCode, describeRun(ran)).toBe(0);
    expect(ran.stderr).toContain(`nexa approve ${request.id}`);
    expect((await nexa(cluster.home, ['diff', taskId])).stdout).toContain('via-acp.txt');
  }, 120_000);

  it("gives the agent what --pass-env names and nothing else of the worker's environment", async () => {
    const ran = await runClaude('run: env > env.txt', ['--approve', 'all']).result;
    expect(ran.exitCode, describeRun(ran)).toBe(0);
    const taskId = await cluster.nextTask();
    const diff = (await nexa(cluster.home, ['diff', taskId])).stdout;
    // It got the value (it reached the scripted model through it); what it wrote is stored
    // redacted, as every --pass-env value is.
    expect(diff).toContain('+ANTHROPIC_BASE_URL=[redacted:ANTHROPIC_BASE_URL]');
    expect(diff).not.toContain(cluster.fake.url);
    expect(diff).toContain(`+NEXA_TASK_ID=${taskId}`);
    expect(diff).not.toContain('WORKER_ONLY_SECRET');
  }, 120_000);
});
