import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type AgentName,
  type ApproveMode,
  agentKind,
  agentNames,
  type NetworkMode,
  NexaError,
  Policy,
  parseBytes,
  parseDuration,
  parseLabels,
  type SandboxName,
  type TaskSpecInput,
} from '@nexa/core';

/** The flags of `nexa run` that describe the task (see its --help). */
export interface TaskFlags {
  agent: AgentName;
  'agent-cmd'?: string | undefined;
  policy?: string | undefined;
  approve: ApproveMode;
  'approval-timeout': string;
  env: string[];
  label: string[];
  priority: number;
  retries: number;
  timeout?: string | undefined;
  grace: string;
  repo?: string | undefined;
  sandbox?: SandboxName | undefined;
  image?: string | undefined;
  /** Undefined: the agent's default (allowlist for coding agents, none for commands). */
  network?: NetworkMode | undefined;
  /** Hosts (host, host:port) an allowlisted task may reach besides its agent's provider. */
  'allow-host'?: string[] | undefined;
  memory?: string | undefined;
  cpus?: string | undefined;
  pids?: number | undefined;
  /** Secrets of the project the task gets as environment variables (nexa secret set). */
  secret?: string[] | undefined;
}

/** What `nexa run` (and the TUI's new-task form) uses for a flag not given: one place for both. */
export const runDefaults = {
  approve: 'ask',
  'approval-timeout': '10m',
  priority: 0,
  retries: 1,
  grace: '10s',
} as const satisfies Partial<TaskFlags>;

const agentsTaking = (input: 'command' | 'prompt') =>
  agentNames.filter((name) => agentKind(name).input === input);

/**
 * Turns `nexa run`'s flags and arguments into the task spec it submits; bad
 * values become one clear line. A shell task's arguments are its command; a
 * coding agent's first argument is its prompt.
 */
export function taskSpecFromFlags(
  flags: TaskFlags,
  args: string[],
  callerEnv: NodeJS.ProcessEnv = process.env,
): TaskSpecInput {
  const agent = flags.agent;
  const kind = agentKind(agent);
  if (kind.input === 'prompt' && args.length !== 1) {
    throw new NexaError(
      'invalid_input',
      args.length === 0
        ? `the ${agent} agent needs a prompt`
        : `the ${agent} agent takes one prompt, got ${args.length} arguments`,
      { hint: `quote it: nexa run "fix the failing test" --agent ${agent}` },
    );
  }
  if (kind.input === 'command' && args.length === 0) {
    throw new NexaError('invalid_input', 'nothing to run', {
      hint: `put the command after --, e.g. nexa run -- echo hello, or give a prompt and --agent ${agentsTaking('prompt').join('|')}`,
    });
  }
  if (kind.needsCommand && !flags['agent-cmd']) {
    throw new NexaError('invalid_input', `the ${agent} agent needs the command that starts it`, {
      hint: `e.g. --agent ${agent} --agent-cmd "claude-agent-acp"`,
    });
  }
  if (flags['agent-cmd'] && !kind.needsCommand) {
    throw new NexaError(
      'invalid_input',
      `--agent-cmd is for --agent ${agentNames.filter((name) => agentKind(name).needsCommand).join('|')}`,
      {
        hint: `the ${agent} agent's program is found on the worker (its PATH or --agent-bin)`,
      },
    );
  }
  return {
    agent,
    command:
      kind.input === 'command' ? args : kind.needsCommand ? splitCommand(flags['agent-cmd'] as string) : [],
    prompt: kind.input === 'command' ? null : (args[0] as string),
    policy: flags.policy ? readPolicy(flags.policy) : null,
    approve: flags.approve,
    approvalTimeoutMs: parseDuration(flags['approval-timeout'], '--approval-timeout'),
    env: parseEnv(flags.env, callerEnv),
    labels: parseLabels(flags.label),
    priority: flags.priority,
    maxAttempts: flags.retries + 1,
    timeoutMs: flags.timeout ? parseDuration(flags.timeout, '--timeout') : null,
    graceMs: parseDuration(flags.grace, '--grace'),
    repo: flags.repo ? resolveRepo(flags.repo) : null,
    sandbox: flags.sandbox ?? null,
    image: flags.image ?? null,
    network: networkFrom(flags),
    allowHosts: flags['allow-host'] ?? [],
    limits: limitsFrom(flags),
    secrets: (flags.secret ?? []).flatMap((names) => names.split(',').filter(Boolean)),
  };
}

/**
 * --allow-host means allowlist: named alone it picks it, and with another
 * mode it is a contradiction said before anything is submitted.
 */
function networkFrom(flags: Pick<TaskFlags, 'network' | 'allow-host'>): NetworkMode | undefined {
  const hosts = flags['allow-host'] ?? [];
  if (hosts.length === 0) return flags.network;
  if (flags.network && flags.network !== 'allowlist') {
    throw new NexaError(
      'invalid_input',
      `--allow-host needs --network allowlist, not --network ${flags.network}`,
      {
        hint: `drop --allow-host, or run with --network allowlist --allow-host ${hosts.join(',')}`,
      },
    );
  }
  return 'allowlist';
}

/**
 * `--env NAME=VALUE`, or `--env NAME` for the value of NAME in this shell's
 * environment: a secret then never appears in `nexa run`'s own argv, where
 * `ps` and shell history would show it.
 */
function parseEnv(pairs: readonly string[], callerEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq === -1 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(pair)) {
      const value = callerEnv[pair];
      if (value === undefined) {
        throw new NexaError('invalid_input', `--env ${pair}: ${pair} is not set in this environment`, {
          hint: `export ${pair} first, or pass --env ${pair}=VALUE`,
        });
      }
      env[pair] = value;
      continue;
    }
    if (eq <= 0) {
      throw new NexaError('invalid_input', `--env "${pair}" is not NAME=VALUE or NAME`, {
        hint: 'e.g. --env DEBUG=1, or --env API_TOKEN to pass the value this shell has',
      });
    }
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** A local path is made absolute (the worker runs elsewhere); a URL is passed as it is. */
function resolveRepo(repo: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\/|^[^/]+@[^/]+:/i.test(repo) ? repo : resolve(repo);
}

function limitsFrom(flags: {
  memory?: string | undefined;
  cpus?: string | undefined;
  pids?: number | undefined;
}) {
  const cpus = flags.cpus === undefined ? undefined : Number(flags.cpus);
  if (cpus !== undefined && !(cpus > 0)) {
    throw new NexaError('invalid_input', `--cpus "${flags.cpus}" is not a number of cores`, {
      hint: 'e.g. --cpus 1 or --cpus 0.5',
    });
  }
  return {
    ...(flags.memory ? { memoryBytes: parseBytes(flags.memory, '--memory') } : {}),
    ...(cpus ? { cpus } : {}),
    ...(flags.pids ? { pids: flags.pids } : {}),
  };
}

/** Reads a policy file (JSON: {"rules": [...]}); what is wrong with it comes back as one line. */
export function readPolicy(file: string): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new NexaError(
      'invalid_input',
      `cannot read policy file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new NexaError('invalid_input', `policy file ${file} is not JSON: ${(error as Error).message}`, {
      hint: 'e.g. {"rules": [{"tool": "Bash", "command": "echo *", "decision": "allow"}]}',
    });
  }
  const parsed = Policy.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new NexaError('invalid_input', `policy file ${file}${where}: ${issue?.message ?? 'invalid'}`, {
      hint: 'each rule has a decision (allow, deny or ask) and any of tool, command, path, risk, name',
    });
  }
  return parsed.data;
}

/** Splits a command line the way a shell would for simple cases: spaces, 'single' and "double" quotes, backslashes. */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i] as string;
    const escaped = char === '\\' && i + 1 < line.length && quote !== "'";
    if (escaped) {
      word = (word ?? '') + line[++i];
    } else if (quote) {
      if (char === quote) quote = null;
      else word = (word ?? '') + char;
    } else if (char === '"' || char === "'") {
      quote = char;
      word ??= '';
    } else if (/\s/.test(char)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (quote) throw new NexaError('invalid_input', `unbalanced ${quote} in "${line}"`);
  if (word !== null) words.push(word);
  if (words.length === 0) throw new NexaError('invalid_input', 'the agent command is empty');
  return words;
}
