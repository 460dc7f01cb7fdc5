import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ApprovalDecision, type TaskEventBody, TaskSpec } from '@nexa/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FollowUpInbox } from '../followUps.js';
import { processSandbox } from '../sandbox/index.js';
import { startFakeAnthropic } from '../testing/fakeModel/anthropic.js';
import type { FakeModelServer } from '../testing/fakeModel/server.js';
import type { ApprovalGate, ApprovalRequest, EventSink, NexaMcpServer, TaskSandbox } from './agent.js';
import { claudeAgent } from './claude.js';

// The real Claude Code CLI, pinned as a dev dependency of the repo.
const claudeBin = fileURLToPath(new URL('../../../../node_modules/.bin/claude', import.meta.url));

/** A stand-in for `nexa mcp`: one kv_set tool that answers with what reached it. */
const echoMcpServer = fileURLToPath(new URL('../testing/fixtures/echoMcpServer.mjs', import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function memorySink(): EventSink & { events: TaskEventBody[] } {
  const events: TaskEventBody[] = [];
  return { events, emit: (event) => events.push(event) > 0, writable: async () => {} };
}

/** A gate that answers each request with `decide`, remembering what it was asked. */
function scriptedGate(decide: (request: ApprovalRequest) => Promise<ApprovalDecision>): ApprovalGate & {
  asked: ApprovalRequest[];
} {
  const asked: ApprovalRequest[] = [];
  return {
    asked,
    ask(request) {
      asked.push(request);
      return decide(request);
    },
  };
}

const allow = async (): Promise<ApprovalDecision> => ({ outcome: 'allow', always: false });

interface Started {
  workdir: string;
  events: TaskEventBody[];
  fake: FakeModelServer;
  controller: AbortController;
  exit: ReturnType<typeof claudeAgent.run>;
  home: string;
}

async function runClaude(
  prompt: string,
  approvals: ApprovalGate,
  options: { program?: string[]; graceMs?: number; followUps?: FollowUpInbox; mcp?: NexaMcpServer } = {},
): Promise<Started> {
  const fake = await startFakeAnthropic();
  cleanups.push(() => fake.close());
  const workdir = tempDir('nexa-claude-work-');
  const home = tempDir('nexa-claude-home-');
  const sandbox: TaskSandbox = {
    name: 'process',
    workdir,
    spawn: (request) => processSandbox.spawn({ ...request, network: { mode: 'open' }, limits: {} }),
  };
  const sink = memorySink();
  const controller = new AbortController();
  const exit = claudeAgent.run({
    spec: TaskSpec.parse({ agent: 'claude', prompt }),
    workdir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      LANG: 'C.UTF-8',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'test-key',
    },
    program: options.program ?? [claudeBin],
    approvals,
    sandbox,
    events: sink,
    signal: controller.signal,
    graceMs: options.graceMs ?? 2_000,
    followUps: options.followUps ?? new FollowUpInbox(),
    mcp: options.mcp,
  });
  return { workdir, events: sink.events, fake, controller, exit, home };
}

const ofKind = <K extends TaskEventBody['kind']>(events: TaskEventBody[], kind: K) =>
  events.filter((event): event is Extract<TaskEventBody, { kind: K }> => event.kind === kind);

describe('claude agent (real Claude Code against the fake Anthropic API)', () => {
  it('runs an allowed command and reports the call, its result, the answer and the usage', async () => {
    const gate = scriptedGate(allow);
    const run = await runClaude('run: echo hello > made.txt', gate);

    expect(await run.exit).toEqual({ exitCode: 0 });
    expect(readFileSync(join(run.workdir, 'made.txt'), 'utf8')).toBe('hello\n');

    expect(gate.asked).toEqual([
      expect.objectContaining({
        tool: 'Bash',
        action: 'run `echo hello > made.txt`',
        command: 'echo hello > made.txt',
        risk: 'execute',
      }),
    ]);
    const [call] = ofKind(run.events, 'tool_call');
    expect(call).toMatchObject({ tool: 'Bash', title: 'run `echo hello > made.txt`' });
    expect(ofKind(run.events, 'tool_result')).toEqual([
      expect.objectContaining({ callId: call?.callId, ok: true }),
    ]);
    expect(ofKind(run.events, 'agent_message').at(-1)?.text).toMatch(/^done/);
    const [usage] = ofKind(run.events, 'usage');
    expect(usage?.inputTokens).toBeGreaterThan(0);
    expect(usage?.outputTokens).toBeGreaterThan(0);
    expect(usage?.model).toMatch(/claude/);
    expect(ofKind(run.events, 'error')).toEqual([]);
  }, 60_000);

  it('tells Claude Code why a command was denied, and the run still ends with an answer', async () => {
    const gate = scriptedGate(async () => ({ outcome: 'deny', always: false, message: 'not today' }));
    const run = await runClaude('run: echo hello > made.txt', gate);

    expect(await run.exit).toEqual({ exitCode: 0 });
    expect(existsSync(join(run.workdir, 'made.txt'))).toBe(false);
    expect(gate.asked).toHaveLength(1);
    const [result] = ofKind(run.events, 'tool_result');
    expect(result).toMatchObject({ ok: false });
    expect(result?.output).toContain('not today');
    // The model's next turn saw the denial as the tool's (error) result.
    const lastTurn = JSON.stringify(run.fake.requests.at(-1)?.body.messages.at(-1));
    expect(lastTurn).toContain('not today');
    expect(ofKind(run.events, 'agent_message').at(-1)?.text).toBe('done (last tool result: not today)');
  }, 60_000);

  it('remembers an "always" for the rest of the run without writing it into the working copy', async () => {
    const gate = scriptedGate(async () => ({ outcome: 'allow', always: true }));
    // A redirect is a file write Claude Code checks on its own, so the command appends through node instead.
    const append = `run: node -e "require('fs').appendFileSync('log.txt', 'again ')"`;
    const run = await runClaude(`${append}\n${append}`, gate);

    expect(await run.exit).toEqual({ exitCode: 0 });
    expect(readFileSync(join(run.workdir, 'log.txt'), 'utf8')).toBe('again again ');
    expect(gate.asked).toHaveLength(1);
    expect(existsSync(join(run.workdir, '.claude'))).toBe(false);
  }, 60_000);

  it('stops promptly when the task is stopped while an approval is pending', async () => {
    let asked: () => void = () => {};
    const waiting = new Promise<void>((resolve) => {
      asked = resolve;
    });
    // Never decides: as if nobody has answered yet.
    const gate = scriptedGate(() => {
      asked();
      return new Promise<ApprovalDecision>(() => {});
    });
    const run = await runClaude('run: echo hello > made.txt', gate, { graceMs: 2_000 });
    await waiting;

    const stoppedAt = Date.now();
    run.controller.abort();
    const exit = await run.exit;
    expect(Date.now() - stoppedAt).toBeLessThan(3_000);
    expect(exit.exitCode).not.toBe(0);
    expect(existsSync(join(run.workdir, 'made.txt'))).toBe(false);
  }, 60_000);
});

describe('claude agent (a stand-in program speaking stream-json)', () => {
  // A shell script in place of Claude Code: the adapter's arguments land in $1..., and it prints what it is told.
  const saying = (...lines: string[]) => [
    'sh',
    '-c',
    `printf '%s\\n' ${lines.map((l) => `'${l}'`).join(' ')}; cat >/dev/null`,
    'claude',
  ];

  it('reports a line that is not JSON as an error and carries on', async () => {
    const result =
      '{"type":"result","subtype":"success","is_error":false,"result":"ok","usage":{"input_tokens":3,"output_tokens":2},"total_cost_usd":0.5}';
    const run = await runClaude('anything', scriptedGate(allow), {
      program: saying('this is not json', result),
    });

    expect(await run.exit).toEqual({ exitCode: 0 });
    expect(ofKind(run.events, 'error')).toEqual([
      { kind: 'error', message: expect.stringContaining('this is not json') },
    ]);
    expect(ofKind(run.events, 'usage')).toEqual([
      expect.objectContaining({ inputTokens: 3, outputTokens: 2, costUsd: 0.5 }),
    ]);
  });

  it('fails the run with the error a failed result gives', async () => {
    const result =
      '{"type":"result","subtype":"error_max_turns","is_error":true,"errors":["Reached maximum number of turns (1)"],"usage":{}}';
    const run = await runClaude('anything', scriptedGate(allow), { program: saying(result) });

    expect(await run.exit).toEqual({ exitCode: 1, reason: 'Reached maximum number of turns (1)' });
  });

  it('hands Claude Code nexa as an MCP server whose tools run without an approval and show as tool calls', async () => {
    const gate = scriptedGate(allow);
    const mcp: NexaMcpServer = {
      name: 'nexa',
      command: process.execPath,
      args: [echoMcpServer],
      env: { NEXA_SERVER: 'unix:/work/.nexa/mcp.sock', NEXA_TOKEN: 'task-token-secret' },
    };
    const run = await runClaude('mcp: kv_set {"key":"k","value":1}', gate, { mcp });

    expect(await run.exit).toEqual({ exitCode: 0 });
    expect(gate.asked).toEqual([]);
    const offered = run.fake.requests.flatMap((request) =>
      (request.body?.tools ?? []).map((tool: { name: string }) => tool.name),
    );
    expect(offered).toContain('mcp__nexa__kv_set');
    const [call] = ofKind(run.events, 'tool_call');
    expect(call).toMatchObject({ tool: 'mcp__nexa__kv_set', input: { key: 'k', value: 1 } });
    const [result] = ofKind(run.events, 'tool_result');
    expect(result).toMatchObject({ callId: call?.callId, ok: true });
    expect(result?.output).toMatch(/^stored k=1 via unix:\/work\/.nexa\/mcp.sock token=set argv=$/);
    // The config holds the token: readable by its owner only.
    expect(statSync(join(run.home, 'nexa-mcp.json')).mode & 0o777).toBe(0o600);
  }, 60_000);

  it('sends a follow-up waiting at the end of a turn as the next user turn, and reports its session', async () => {
    const followUps = new FollowUpInbox();
    followUps.push({
      id: 'm-1',
      threadId: 't-1',
      project: 'default',
      seq: 2,
      author: { kind: 'person', name: 'alice', taskId: null, workerName: null },
      kind: 'message',
      body: 'also say: second turn',
      replyTo: null,
      createdAt: new Date().toISOString(),
    });
    const run = await runClaude('say: first turn', scriptedGate(allow), { followUps });

    expect(await run.exit).toEqual({ exitCode: 0 });
    const turns = run.fake.requests.filter((request) =>
      (request.body?.tools ?? []).some((tool: { name: string }) => tool.name === 'Bash'),
    );
    const lastUser = JSON.stringify(turns.at(-1)?.body.messages.at(-1));
    expect(lastUser).toContain('Message from alice in thread t-1:\\n\\nalso say: second turn');
    expect(ofKind(run.events, 'agent_message').map((event) => event.text)).toEqual([
      'first turn',
      'first turn',
    ]);
    expect(followUps.pending).toBe(0);
    const [session] = ofKind(run.events, 'session');
    expect(session?.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  }, 60_000);
});
