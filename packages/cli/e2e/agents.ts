import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Approval } from '@nexa/core';
import { type FakeModelServer, startFakeAnthropic, writeCodexConfig } from '@nexa/worker/testing/fake-model';
import { type Cluster, startCluster } from './cluster.js';
import { type CommandResult, type Daemon, type Home, nexa } from './harness.js';

/** The agent CLIs, as the repository's pinned dev dependencies installed them. */
export const agentBin = (name: 'claude' | 'codex' | 'claude-agent-acp') =>
  fileURLToPath(new URL(`../../../node_modules/.bin/${name}`, import.meta.url));

/**
 * What a worker's environment holds for Claude Code and the flags that pass it
 * on: the fake API's address and a key, and the switches that keep Claude
 * Code from calling anywhere else.
 */
export function claudeWorker(apiUrl: string): { flags: string[]; env: Record<string, string> } {
  const env = {
    ANTHROPIC_BASE_URL: apiUrl,
    ANTHROPIC_API_KEY: 'test-key',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    // Claude Code under the ACP adapter, as root, insists on being told it is in a sandbox.
    IS_SANDBOX: '1',
  };
  return {
    flags: [
      '--agent-bin',
      `claude=${agentBin('claude')}`,
      '--agent-bin',
      `claude-agent-acp=${agentBin('claude-agent-acp')}`,
      '--pass-env',
      Object.keys(env).join(','),
    ],
    // In the worker's environment but not passed on: no task may see it.
    env: { ...env, WORKER_ONLY_SECRET: 's3cret' },
  };
}

/** A cluster with a fake Anthropic API beside it; `stop()` closes the API too. */
export interface ClaudeCluster extends Cluster {
  fake: FakeModelServer;
  /** A worker whose Claude Code (and claude-agent-acp) talk to `fake`; `flags` and `env` come on top. */
  agentWorker(name: string, flags?: string[], env?: Record<string, string>): Promise<Daemon>;
}

export async function startClaudeCluster(): Promise<ClaudeCluster> {
  const fake = await startFakeAnthropic();
  const cluster = await startCluster().catch(async (error: unknown) => {
    await fake.close();
    throw error;
  });
  const claude = claudeWorker(fake.url);
  return {
    ...cluster,
    fake,
    agentWorker: (name, flags = [], env = {}) =>
      cluster.worker(name, [...claude.flags, ...flags], { ...claude.env, ...env }),
    async stop() {
      await cluster.stop();
      await fake.close();
    },
  };
}

/**
 * `nexa run PROMPT` for an agent (Claude Code unless `agent` names another's
 * flags) on a fresh repository, as the arguments of `nexa`; unwalled unless
 * `sandbox` says otherwise.
 */
export function agentRun(
  prompt: string,
  {
    agent = ['--agent', 'claude'],
    sandbox = 'process',
    flags = [],
  }: { agent?: string[]; sandbox?: string; flags?: string[] } = {},
): string[] {
  return ['run', prompt, ...agent, '--repo', makeRepo(), '--sandbox', sandbox, ...flags];
}

/** A fresh git repository with one commit, for tasks to work on. */
export function makeRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nexa-agent-repo-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir });
  git('init', '--quiet', '--initial-branch=main');
  writeFileSync(join(dir, 'README.md'), 'a repository\n');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-m', 'start');
  return dir;
}

export async function approvalsOf(home: Home, taskId: string): Promise<Approval[]> {
  const listed = await nexa(home, ['approvals', 'list', '--task', taskId, '--json']);
  if (listed.exitCode !== 0) throw new Error(listed.stderr);
  return JSON.parse(listed.stdout) as Approval[];
}

/** Waits until the task has a pending approval request, and returns it. */
export async function pendingApproval(home: Home, taskId: string, timeoutMs = 60_000): Promise<Approval> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pending = (await approvalsOf(home, taskId)).find((a) => a.status === 'pending');
    if (pending) return pending;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`task ${taskId} never asked for approval`);
}

export function writePolicy(rules: object[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'nexa-policy-')), 'policy.json');
  writeFileSync(file, JSON.stringify({ rules }));
  return file;
}

export const describeRun = (run: CommandResult) =>
  `exit ${run.exitCode}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;

/**
 * A worker's environment for Codex: a CODEX_HOME whose config points at the
 * fake Responses API (and calls nowhere else), and the key it reads. Codex
 * will not set up under /tmp, so the home lives in the repository's ignored cache.
 */
export function codexWorker(apiUrl: string): { flags: string[]; env: Record<string, string> } {
  const cache = fileURLToPath(new URL('../../../node_modules/.cache/', import.meta.url));
  mkdirSync(cache, { recursive: true });
  const codexHome = mkdtempSync(join(cache, 'nexa-e2e-codex-'));
  writeCodexConfig(codexHome, apiUrl);
  const env = { CODEX_HOME: codexHome, NEXA_FAKE_OPENAI_KEY: 'test-key' };
  return {
    flags: ['--agent-bin', `codex=${agentBin('codex')}`, '--pass-env', Object.keys(env).join(',')],
    env,
  };
}
