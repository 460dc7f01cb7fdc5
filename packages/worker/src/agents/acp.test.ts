import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ApprovalDecision, type TaskEventBody, TaskSpec } from '@nexa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FollowUpInbox } from '../followUps.js';
import { processSandbox } from '../sandbox/process.js';
import { startFakeAnthropic } from '../testing/fakeModel/anthropic.js';
import type { FakeModelServer } from '../testing/fakeModel/server.js';
import { approvalRequestFor, permissionOutcome } from './acp/permission.js';
import { acpAgent } from './acp.js';
import type { ApprovalRequest, NexaMcpServer, TaskSandbox } from './agent.js';

const claudeAgentAcp = fileURLToPath(
  new URL('../../../../node_modules/.bin/claude-agent-acp', import.meta.url),
);
const echoMcpServer = fileURLToPath(new URL('../testing/fixtures/echoMcpServer.mjs', import.meta.url));
const scriptedAgent = fileURLToPath(new URL('./acp/fixtures/scriptedAgent.mjs', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: JSON-RPC traffic as it went over the wire
type Message = any;

interface RunOptions {
  program: string[];
  prompt: string;
  env?: Record<string, string>;
  /** How the gate decides; it is told when the run is stopped (a request still open resolves as cancelled). */
  decide?: (request: ApprovalRequest, stopped: Promise<void>) => Promise<ApprovalDecision>;
  /** Called with each permission request as it reaches the gate. */
  onAsk?: (request: ApprovalRequest) => void;
  signal?: AbortSignal;
  followUps?: FollowUpInbox;
  mcp?: NexaMcpServer;
  graceMs?: number;
}

const allow: ApprovalDecision = { outcome: 'allow', always: false };
const workdirs: string[] = [];
afterAll(() => {
  for (const dir of workdirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the acp agent in a process sandbox, recording its events, what reached the gate and the JSON-RPC traffic. */
async function runAcp(options: RunOptions) {
  const workdir = mkdtempSync(join(tmpdir(), 'nexa-acp-'));
  workdirs.push(workdir);
  const events: TaskEventBody[] = [];
  const asked: ApprovalRequest[] = [];
  const sent: Message[] = [];
  const received: Message[] = [];
  const sandbox: TaskSandbox = {
    name: 'process',
    workdir,
    spawn(request) {
      const child = processSandbox.spawn({ ...request, network: { mode: 'open' }, limits: {} });
      const write = child.stdin.write.bind(child.stdin) as (chunk: string) => boolean;
      child.stdin.write = ((chunk: string) => {
        for (const line of chunk.split('\n')) if (line) sent.push(JSON.parse(line));
        return write(chunk);
      }) as typeof child.stdin.write;
      let partial = '';
      child.stdout.on('data', (data: string) => {
        const lines = (partial + data).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          try {
            received.push(JSON.parse(line));
          } catch {
            received.push(line);
          }
        }
      });
      return child;
    },
  };
  const stop = new AbortController();
  const signal = AbortSignal.any([stop.signal, options.signal ?? stop.signal, AbortSignal.timeout(45_000)]);
  const stopped = new Promise<void>((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  const startedAt = Date.now();
  let abortedAt: number | undefined;
  signal.addEventListener('abort', () => {
    abortedAt = Date.now();
  });
  const exit = await acpAgent.run({
    spec: TaskSpec.parse({ agent: 'acp', command: options.program, prompt: options.prompt }),
    workdir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: workdir, LANG: 'C.UTF-8', ...options.env },
    program: options.program,
    approvals: {
      ask: async (request) => {
        asked.push(request);
        options.onAsk?.(request);
        return (options.decide ?? (async () => allow))(request, stopped);
      },
    },
    sandbox,
    events: {
      emit: (event) => events.push(event) > 0,
      writable: async () => {},
    },
    signal,
    graceMs: options.graceMs ?? 2000,
    followUps: options.followUps ?? new FollowUpInbox(),
    mcp: options.mcp,
  });
  const endedAt = Date.now();
  const of = <K extends TaskEventBody['kind']>(kind: K) =>
    events.filter((event): event is Extract<TaskEventBody, { kind: K }> => event.kind === kind);
  const stderr = of('output')
    .map((event) => event.data)
    .join('');
  return {
    exit,
    events,
    of,
    asked,
    sent,
    received,
    stderr,
    workdir,
    msSinceAbort: abortedAt === undefined ? undefined : endedAt - abortedAt,
    ms: endedAt - startedAt,
  };
}

/** Our answer to the agent's permission request with this id. */
const answerTo = (sent: Message[], id: unknown) =>
  sent.find((message) => message.id === id && 'result' in message);

describe('acp permission requests', () => {
  it('shows an edit with its paths, a unified diff and risk write', () => {
    const request = approvalRequestFor('7', {
      toolCall: {
        toolCallId: 'c1',
        title: 'Edit src/a.ts',
        kind: 'edit',
        rawInput: { file_path: '/w/src/a.ts' },
        locations: [{ path: '/w/src/a.ts', line: 3 }],
        content: [{ type: 'diff', path: '/w/src/a.ts', oldText: 'one\ntwo\n', newText: 'one\n2\n' }],
      },
      options: [],
    });
    expect(request).toEqual({
      key: '7',
      tool: 'edit',
      action: 'Edit src/a.ts',
      paths: ['/w/src/a.ts'],
      diff: '--- /w/src/a.ts\n+++ /w/src/a.ts\n@@ -1,2 +1,2 @@\n-one\n-two\n+one\n+2',
      risk: 'write',
    });
    expect(approvalRequestFor('8', { toolCall: { title: 'Fetch x', kind: 'fetch' } }).risk).toBe('network');
    expect(approvalRequestFor('9', { toolCall: { title: 'Search', kind: 'search' } }).risk).toBe('read');
  });

  it("names an MCP tool (kind other) by the adapter's own name, so nexa's tools are known as mcp__nexa__*", () => {
    // claude-agent-acp 0.45 asks for an MCP call as kind "other", the name as title; its
    // tool_call updates carry the name in _meta.claudeCode.toolName.
    const asked = { toolCall: { toolCallId: 't1', title: 'mcp__nexa__kv_set', kind: 'other', rawInput: {} } };
    expect(approvalRequestFor('10', asked, { kind: 'other', name: 'mcp__nexa__kv_set' }).tool).toBe(
      'mcp__nexa__kv_set',
    );
    const withMeta = {
      toolCall: { ...asked.toolCall, _meta: { claudeCode: { toolName: 'mcp__nexa__post_message' } } },
    };
    expect(approvalRequestFor('11', withMeta).tool).toBe('mcp__nexa__post_message');
    // A kind ACP knows stays what policies match on, whatever the agent calls the tool.
    expect(
      approvalRequestFor('12', { toolCall: { kind: 'execute', title: 'ls' } }, { name: 'Bash' }).tool,
    ).toBe('execute');
    // Without a name, "other" it is: a title is the agent's words, never a tool's identity.
    expect(approvalRequestFor('13', asked).tool).toBe('other');
  });

  it('never answers "allow" with an "always" option the person did not choose', () => {
    const onlyAlways = { options: [{ optionId: 'x', name: 'Always', kind: 'allow_always' }] };
    expect(permissionOutcome({ outcome: 'allow', always: false }, onlyAlways)).toEqual({
      outcome: { outcome: 'cancelled' },
    });
    expect(permissionOutcome({ outcome: 'allow', always: true }, onlyAlways)).toEqual({
      outcome: { outcome: 'selected', optionId: 'x' },
    });
  });
});

describe('acp agent, against a scripted ACP agent', () => {
  const program = [process.execPath, scriptedAgent];

  it('joins message chunks, reports tool calls, asks the gate, answers by option kind and reports usage', async () => {
    const run = await runAcp({ program, prompt: 'ask' });

    expect(run.exit).toEqual({ exitCode: 0 });
    expect(run.sent.slice(0, 3).map((message) => [message.id, message.method])).toEqual([
      [0, 'initialize'],
      [1, 'session/new'],
      [2, 'session/prompt'],
    ]);
    expect(run.sent[0].params).toMatchObject({ protocolVersion: 1, clientCapabilities: { terminal: false } });
    expect(run.sent[1].params).toEqual({ cwd: run.workdir, mcpServers: [] });
    expect(run.asked).toEqual([
      {
        key: '100',
        tool: 'execute',
        action: 'run `rm -rf build`',
        command: 'rm -rf build',
        risk: 'execute',
      },
    ]);
    // "allow" without "always" picks the allow_once option, whatever its id
    expect(answerTo(run.sent, 100).result).toEqual({ outcome: { outcome: 'selected', optionId: 'a2' } });
    const told = run.events.filter((event) => event.kind !== 'output');
    expect(told).toEqual([
      { kind: 'session', sessionId: 's1' },
      { kind: 'agent_message', role: 'thought', text: 'thinking' },
      { kind: 'agent_message', role: 'assistant', text: 'Hello' },
      {
        kind: 'error',
        message: expect.stringMatching(/^the agent wrote a line that is not ACP .*: this line is not json$/),
      },
      {
        kind: 'tool_call',
        callId: 'call-1',
        tool: 'execute',
        title: 'rm -rf build',
        input: { command: 'rm -rf build' },
      },
      { kind: 'tool_result', callId: 'call-1', ok: true, output: 'removed' },
      { kind: 'agent_message', role: 'assistant', text: 'Done.' },
      {
        kind: 'usage',
        model: null,
        inputTokens: 12,
        outputTokens: 3,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: 0.25,
      },
    ]);
  });

  it('answers a denial with the reject_once option, and "always" with allow_always', async () => {
    const denied = await runAcp({
      program,
      prompt: 'ask',
      decide: async () => ({ outcome: 'deny', always: false }),
    });
    expect(answerTo(denied.sent, 100).result).toEqual({ outcome: { outcome: 'selected', optionId: 'r1' } });
    expect(denied.of('tool_result')).toEqual([
      { kind: 'tool_result', callId: 'call-1', ok: false, output: 'not allowed' },
    ]);

    const always = await runAcp({
      program,
      prompt: 'ask',
      decide: async () => ({ outcome: 'allow', always: true }),
    });
    expect(answerTo(always.sent, 100).result).toEqual({ outcome: { outcome: 'selected', optionId: 'a1' } });
  });

  it('ends with exit 1 and the message when the agent answers the prompt with an error', async () => {
    const run = await runAcp({ program, prompt: 'error' });
    expect(run.exit).toEqual({
      exitCode: 1,
      reason: 'the agent answered with an error: the model is overloaded',
    });
  });

  it('ends with exit 1 when the agent stops its turn for another reason than end_turn', async () => {
    const run = await runAcp({ program, prompt: 'refuse' });
    expect(run.exit).toEqual({ exitCode: 1, reason: 'the agent stopped its turn: refusal' });
  });

  it("reports the agent's own exit code when it dies mid-prompt", async () => {
    const run = await runAcp({ program, prompt: 'die' });
    expect(run.exit).toEqual({ exitCode: 3 });
  });

  it('fails clearly when the agent command does not exist', async () => {
    const run = await runAcp({ program: ['/nonexistent/acp-agent'], prompt: 'ask' });
    expect(run.exit).toEqual({ exitCode: 127, reason: 'command not found: /nonexistent/acp-agent' });
  });

  it('on a stop, cancels the session and the open permission request, and the agent ends its turn', async () => {
    const stop = new AbortController();
    const run = await runAcp({
      program,
      prompt: 'ask',
      signal: stop.signal,
      graceMs: 10_000,
      onAsk: () => stop.abort(),
      decide: async (_request, stopped) => {
        await stopped;
        return { outcome: 'cancelled', always: false };
      },
    });
    expect(run.sent.find((message) => message.method === 'session/cancel')?.params).toEqual({
      sessionId: 's1',
    });
    expect(answerTo(run.sent, 100).result).toEqual({ outcome: { outcome: 'cancelled' } });
    expect(run.exit).toEqual({ exitCode: 130, reason: 'the agent cancelled its turn' });
    expect(run.msSinceAbort).toBeLessThan(5000); // it answered the cancel: no waiting out the grace period
  });

  it('stops an agent that ignores the cancel with SIGTERM once the grace period is over', async () => {
    const stop = new AbortController();
    const run = await runAcp({
      program,
      prompt: 'stubborn',
      signal: stop.signal,
      graceMs: 300,
      onAsk: () => stop.abort(),
    });
    expect(run.stderr).toContain('got session/cancel');
    expect(run.exit).toEqual({ exitCode: 143, reason: 'killed by SIGTERM' });
  });
});

describe('acp agent, against the Claude Code ACP adapter', () => {
  let fake: FakeModelServer;
  let home: string;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    home = mkdtempSync(join(tmpdir(), 'nexa-acp-home-'));
  });

  afterAll(async () => {
    await fake?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const claude = (options: Omit<RunOptions, 'program' | 'env'>) =>
    runAcp({
      ...options,
      program: [claudeAgentAcp],
      env: {
        HOME: home,
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_API_KEY: 'test-key',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_TELEMETRY: '1',
        IS_SANDBOX: '1',
      },
    });

  it('runs a command the gate allows and reports the call, its result and the answer', async () => {
    const run = await claude({ prompt: 'run: echo hello > made.txt' });

    expect(run.exit, run.stderr).toEqual({ exitCode: 0 });
    expect(readFileSync(join(run.workdir, 'made.txt'), 'utf8')).toBe('hello\n');
    expect(run.asked).toEqual([
      expect.objectContaining({ risk: 'execute', command: 'echo hello > made.txt', tool: 'execute' }),
    ]);
    expect(run.asked[0]?.action).toContain('echo hello > made.txt');
    const [call] = run.of('tool_call');
    expect(call).toMatchObject({ tool: 'execute', input: { command: 'echo hello > made.txt' } });
    expect(run.of('tool_result')).toEqual([expect.objectContaining({ callId: call?.callId, ok: true })]);
    expect(run.of('agent_message').at(-1)?.text).toMatch(/^done/);
    expect(run.of('tool_result')[0]?.output).toBe('(Bash completed with no output)');
    const [usage] = run.of('usage');
    expect(usage?.inputTokens).toBeGreaterThan(0);
    expect(usage?.costUsd).toBeGreaterThan(0);
  }, 60_000);

  it('runs nothing the gate denies, and the run still ends well', async () => {
    const run = await claude({
      prompt: 'run: echo hello > made.txt',
      decide: async () => ({ outcome: 'deny', always: false }),
    });

    expect(run.exit, run.stderr).toEqual({ exitCode: 0 });
    expect(run.asked).toHaveLength(1);
    expect(existsSync(join(run.workdir, 'made.txt'))).toBe(false);
    expect(run.of('tool_result')).toEqual([expect.objectContaining({ ok: false })]);
  }, 60_000);

  it('answers "always" with the allow_always option, and the agent asks no more for the same command', async () => {
    // (Claude Code asks again for a command with an output redirection even after "always"; touch it is not.)
    const prompt = 'run: touch one.txt\nrun: touch one.txt';
    const once = await claude({ prompt });
    expect(once.asked).toHaveLength(2);

    const always = await claude({ prompt, decide: async () => ({ outcome: 'allow', always: true }) });
    expect(always.exit, always.stderr).toEqual({ exitCode: 0 });
    const request = always.received.find((message) => message?.method === 'session/request_permission');
    const alwaysOption = request.params.options.find((option: Message) => option.kind === 'allow_always');
    expect(answerTo(always.sent, request.id).result).toEqual({
      outcome: { outcome: 'selected', optionId: alwaysOption.optionId },
    });
    expect(always.asked).toHaveLength(1);
    expect(always.of('tool_result')).toEqual([
      expect.objectContaining({ ok: true }),
      expect.objectContaining({ ok: true }),
    ]);
  }, 60_000);

  it('on a stop while a permission request is open, cancels the session and ends within seconds', async () => {
    const stop = new AbortController();
    const run = await claude({
      prompt: 'run: echo hello > made.txt',
      signal: stop.signal,
      graceMs: 10_000,
      onAsk: () => stop.abort(),
      decide: async (_request, stopped) => {
        await stopped;
        return { outcome: 'cancelled', always: false };
      },
    });

    expect(run.sent.find((message) => message.method === 'session/cancel')).toBeDefined();
    const request = run.received.find((message) => message?.method === 'session/request_permission');
    expect(answerTo(run.sent, request.id).result).toEqual({ outcome: { outcome: 'cancelled' } });
    expect(existsSync(join(run.workdir, 'made.txt'))).toBe(false);
    expect(run.exit).toEqual({ exitCode: 130, reason: 'the agent cancelled its turn' });
    expect(run.msSinceAbort).toBeLessThan(5000); // it answered the cancel: no waiting out the grace period
  }, 60_000);

  it('hands the agent nexa in session/new, and its tool calls show like any other', async () => {
    const run = await claude({
      prompt: 'mcp: kv_set {"key":"k","value":2}',
      mcp: {
        name: 'nexa',
        command: process.execPath,
        args: [echoMcpServer],
        env: { NEXA_SERVER: 'unix:/work/.nexa/mcp.sock', NEXA_TOKEN: 'task-token-secret' },
      },
    });
    expect(run.exit).toEqual({ exitCode: 0 });
    const newSession = run.sent.find((message) => message.method === 'session/new');
    expect(newSession?.params.mcpServers).toEqual([
      {
        name: 'nexa',
        command: process.execPath,
        args: [echoMcpServer],
        env: [
          { name: 'NEXA_SERVER', value: 'unix:/work/.nexa/mcp.sock' },
          { name: 'NEXA_TOKEN', value: 'task-token-secret' },
        ],
      },
    ]);
    const calls = run.of('tool_call');
    expect(calls.length).toBeGreaterThan(0);
    expect(JSON.stringify(calls)).toContain('kv_set');
    expect(JSON.stringify(run.of('tool_result'))).toContain('stored k=2');
  }, 60_000);

  it('sends a follow-up waiting when the prompt ends as the next session/prompt in the same session', async () => {
    const followUps = new FollowUpInbox();
    followUps.push({
      id: 'm-1',
      threadId: 't-2',
      project: 'default',
      seq: 2,
      author: { kind: 'person', name: 'bob', taskId: null, workerName: null },
      kind: 'message',
      body: 'one more thing',
      replyTo: null,
      createdAt: new Date().toISOString(),
    });
    const run = await claude({ prompt: 'say: hi', followUps });
    expect(run.exit).toEqual({ exitCode: 0 });
    const prompts = run.sent.filter((message) => message.method === 'session/prompt');
    expect(prompts).toHaveLength(2);
    expect(prompts[1]?.params.sessionId).toBe(prompts[0]?.params.sessionId);
    expect(prompts[1]?.params.prompt).toEqual([
      { type: 'text', text: 'Message from bob in thread t-2:\n\none more thing' },
    ]);
    const lastUser = JSON.stringify(fake.requests.at(-1)?.body.messages.at(-1));
    expect(lastUser).toContain('one more thing');
    expect(run.of('session')).toEqual([{ kind: 'session', sessionId: prompts[0]?.params.sessionId }]);
  }, 60_000);
});
