import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ApprovalDecision, type TaskEventBody, TaskSpec } from '@nexa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FollowUpInbox } from '../followUps.js';
import { processSandbox } from '../sandbox/process.js';
import { fakeResponseUsage, startFakeOpenAI, writeCodexConfig } from '../testing/fakeModel/openai.js';
import { type FakeModelServer, sendJson, startFakeServer } from '../testing/fakeModel/server.js';
import type { ApprovalRequest, TaskSandbox } from './agent.js';
import { shownCommand } from './codex/items.js';
import { codexAgent } from './codex.js';

const codexBin = fileURLToPath(new URL('../../../../node_modules/.bin/codex', import.meta.url));
// Codex will not set up its helper binaries under /tmp, so its home lives in the repo's ignored cache.
const cacheDir = fileURLToPath(new URL('../../../../node_modules/.cache/', import.meta.url));

let fake: FakeModelServer;
let codexHome: string;
const workdirs: string[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAI();
  mkdirSync(cacheDir, { recursive: true });
  codexHome = mkdtempSync(join(cacheDir, 'nexa-codex-home-'));
  writeCodexConfig(codexHome, fake.url);
});

afterAll(async () => {
  await fake?.close();
  if (codexHome) rmSync(codexHome, { recursive: true, force: true });
  for (const workdir of workdirs) rmSync(workdir, { recursive: true, force: true });
});

/** The command lines of the processes whose working directory is `dir`: what a task has running. */
function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (readlinkSync(`/proc/${pid}/cwd`) !== dir) continue;
      found.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim());
    } catch {
      // gone already, or not ours to see
    }
  }
  return found;
}

async function runCodex(
  prompt: string,
  options: {
    signal?: AbortSignal;
    onStart?: (workdir: string) => void;
    onEvent?: (event: TaskEventBody) => void;
    /** The approvals gate's answer to every request: allow unless a test says otherwise. */
    decide?: (request: ApprovalRequest) => ApprovalDecision | Promise<ApprovalDecision>;
  } = {},
) {
  const workdir = mkdtempSync(join(tmpdir(), 'nexa-codex-'));
  workdirs.push(workdir);
  options.onStart?.(workdir);
  const events: TaskEventBody[] = [];
  const asked: ApprovalRequest[] = [];
  const sandbox: TaskSandbox = {
    name: 'process',
    workdir,
    spawn: (request) => processSandbox.spawn({ ...request, network: { mode: 'open' }, limits: {} }),
  };
  const exit = await codexAgent.run({
    spec: TaskSpec.parse({ agent: 'codex', prompt }),
    workdir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: workdir,
      LANG: 'C.UTF-8',
      CODEX_HOME: codexHome,
      NEXA_FAKE_OPENAI_KEY: 'test-key',
    },
    program: [codexBin],
    approvals: {
      ask: async (request) => {
        asked.push(request);
        return (await options.decide?.(request)) ?? { outcome: 'allow', always: false };
      },
    },
    sandbox,
    events: {
      emit: (event) => {
        events.push(event);
        options.onEvent?.(event);
        return true;
      },
      writable: async () => {},
    },
    // A Codex that hangs must not outlive the test.
    signal: AbortSignal.any([options.signal ?? new AbortController().signal, AbortSignal.timeout(15_000)]),
    graceMs: 1000,
    followUps: new FollowUpInbox(),
  });
  const of = <K extends TaskEventBody['kind']>(kind: K) =>
    events.filter((event): event is Extract<TaskEventBody, { kind: K }> => event.kind === kind);
  return { exit, events, of, asked, workdir };
}

describe('codex agent', () => {
  it('asks before a command the model wants, runs it once allowed, and reports the call, result, answer and usage', async () => {
    const requestsBefore = fake.requests.length;
    const { exit, of, asked, workdir } = await runCodex('run: echo hello > made.txt');

    expect(exit).toEqual({ exitCode: 0 });
    // The gate saw the command as typed, not Codex's `/bin/bash -lc` wrapper around it.
    expect(asked).toEqual([
      {
        key: expect.any(String),
        tool: 'shell',
        action: 'run `echo hello > made.txt`',
        command: 'echo hello > made.txt',
        risk: 'execute',
      },
    ]);
    expect(readFileSync(join(workdir, 'made.txt'), 'utf8')).toBe('hello\n');
    const [call] = of('tool_call');
    expect(call).toMatchObject({ tool: 'shell', title: 'run `echo hello > made.txt`' });
    expect(of('tool_result')).toEqual([{ kind: 'tool_result', callId: call?.callId, ok: true, output: '' }]);
    expect(of('agent_message').at(-1)?.text).toMatch(
      /^done \(last tool result: .*Process exited with code 0/s,
    );
    // One response for the call, one for the answer: Codex adds up both.
    const responses = fake.requests.length - requestsBefore;
    expect(responses).toBe(2);
    expect(of('usage')).toEqual([
      {
        kind: 'usage',
        model: 'gpt-5.5',
        inputTokens: responses * fakeResponseUsage.inputTokens,
        cacheReadTokens: responses * fakeResponseUsage.cachedInputTokens,
        outputTokens: responses * fakeResponseUsage.outputTokens,
        cacheWriteTokens: 0,
        costUsd: null,
      },
    ]);
    expect(of('error')).toEqual([]);
  });

  it('declines a command the gate denies: nothing runs, the model is told, the turn still finishes', async () => {
    const { exit, of, asked, workdir } = await runCodex('run: echo hello > made.txt\nsay: gave up', {
      decide: () => ({ outcome: 'deny', always: false, message: 'not here' }),
    });

    expect(exit).toEqual({ exitCode: 0 });
    expect(asked).toMatchObject([{ command: 'echo hello > made.txt', risk: 'execute' }]);
    expect(existsSync(join(workdir, 'made.txt'))).toBe(false);
    expect(of('tool_result')).toMatchObject([{ ok: false, output: 'declined' }]);
    expect(of('agent_message').at(-1)?.text).toMatch(/^gave up \(last tool result: .*rejected by user/s);
  });

  it('allows for the rest of the session when the gate says always: the same command is not asked again', async () => {
    const twice = 'run: echo hello >> made.txt\nrun: echo hello >> made.txt';
    const once = await runCodex(twice);
    expect(once.asked).toHaveLength(2);

    const always = await runCodex(twice, { decide: () => ({ outcome: 'allow', always: true }) });
    expect(always.exit).toEqual({ exitCode: 0 });
    expect(always.asked).toMatchObject([{ command: 'echo hello >> made.txt' }]);
    expect(readFileSync(join(always.workdir, 'made.txt'), 'utf8')).toBe('hello\nhello\n');
    expect(always.of('tool_result').map((result) => result.ok)).toEqual([true, true]);
  });

  it('reports a failing command as a failed tool result and still finishes the turn', async () => {
    const { exit, of } = await runCodex('run: sh -c "exit 3"\nsay: it failed');

    expect(exit).toEqual({ exitCode: 0 });
    expect(of('tool_call').map((event) => event.title)).toEqual(['run `sh -c "exit 3"`']);
    expect(of('tool_result')).toMatchObject([{ ok: false }]);
    expect(of('agent_message').at(-1)?.text).toMatch(/^it failed \(last tool result: .*exited with code 3/s);
  });

  it('stops within seconds when the run is aborted mid-command, leaving nothing running', async () => {
    const controller = new AbortController();
    let workdir = '';
    let started = 0;
    let ended = false;
    // Abort once the command really runs (Codex reports it just before starting it).
    const abortWhenSleeping = () => {
      if (processesIn(workdir).includes('sleep 30')) {
        started = Date.now();
        controller.abort();
      } else if (!ended) setTimeout(abortWhenSleeping, 20);
    };
    const run = await runCodex('run: sleep 30', {
      signal: controller.signal,
      onStart: (dir) => {
        workdir = dir;
      },
      onEvent: (event) => {
        if (event.kind === 'tool_call') abortWhenSleeping();
      },
    });
    ended = true;

    expect(started).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.exit.exitCode).not.toBe(0);
    expect(run.of('tool_call').map((event) => event.title)).toEqual(['run `sleep 30`']);
    expect(processesIn(run.workdir)).toEqual([]);
  });

  it('answers an approval still open when the run is aborted with cancel, and stops without running it', async () => {
    const controller = new AbortController();
    let asked = 0;
    const run = await runCodex('run: echo hello > made.txt', {
      signal: controller.signal,
      decide: () => {
        asked = Date.now();
        controller.abort();
        return new Promise(() => {}); // nobody answers
      },
    });

    expect(asked).toBeGreaterThan(0);
    expect(Date.now() - asked).toBeLessThan(5_000);
    expect(run.exit).toEqual({ exitCode: 130, reason: 'codex interrupted its turn' });
    expect(existsSync(join(run.workdir, 'made.txt'))).toBe(false);
    expect(processesIn(run.workdir)).toEqual([]);
  });

  it('turns a model error into an error event and exit 1 with the reason', async () => {
    // A provider that refuses every request, as a real one does for a bad model name or key.
    const refusing = await startFakeServer((_request, response) =>
      sendJson(response, 400, {
        error: { type: 'invalid_request_error', message: 'the model is not available' },
      }),
    );
    const saved = codexHome;
    codexHome = mkdtempSync(join(cacheDir, 'nexa-codex-home-'));
    try {
      writeCodexConfig(codexHome, refusing.url);
      const { exit, of } = await runCodex('run: true');

      expect(exit.exitCode).toBe(1);
      expect(exit.reason).toContain('the model is not available');
      expect(of('error').map((event) => event.message)).toEqual([exit.reason]);
      expect(of('tool_call')).toEqual([]);
    } finally {
      rmSync(codexHome, { recursive: true, force: true });
      codexHome = saved;
      await refusing.close();
    }
  });
});

describe('shownCommand', () => {
  it('unwraps the shell Codex runs commands in', () => {
    expect(shownCommand("/bin/bash -lc 'echo hello > made.txt'")).toBe('echo hello > made.txt');
    expect(shownCommand(`/bin/bash -lc "echo 'it is' && sh -c \\"exit 3\\""`)).toBe(
      `echo 'it is' && sh -c "exit 3"`,
    );
    expect(shownCommand('ls -la')).toBe('ls -la');
  });
});
