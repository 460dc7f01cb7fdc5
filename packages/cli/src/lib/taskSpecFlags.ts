import { resolve } from 'node:path';
import {
  NexaError,
  parseBytes,
  parseDuration,
  parseLabels,
  type SandboxName,
  type TaskSpecInput,
} from '@nexa/core';

/** The flags of `nexa run` that describe the task (see its --help). */
export interface TaskFlags {
  env: string[];
  label: string[];
  priority: number;
  retries: number;
  timeout?: string | undefined;
  grace: string;
  repo?: string | undefined;
  sandbox?: SandboxName | undefined;
  image?: string | undefined;
  network: boolean;
  memory?: string | undefined;
  cpus?: string | undefined;
  pids?: number | undefined;
}

/** Turns `nexa run`'s flags and command into the task spec it submits; bad values become one clear line. */
export function taskSpecFromFlags(flags: TaskFlags, command: string[]): TaskSpecInput {
  return {
    agent: 'shell',
    command,
    env: parseEnv(flags.env),
    labels: parseLabels(flags.label),
    priority: flags.priority,
    maxAttempts: flags.retries + 1,
    timeoutMs: flags.timeout ? parseDuration(flags.timeout, '--timeout') : null,
    graceMs: parseDuration(flags.grace, '--grace'),
    repo: flags.repo ? resolveRepo(flags.repo) : null,
    sandbox: flags.sandbox ?? null,
    image: flags.image ?? null,
    network: flags.network,
    limits: limitsFrom(flags),
  };
}

function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new NexaError('invalid_input', `--env "${pair}" is not NAME=VALUE`, {
        hint: 'e.g. --env DEBUG=1',
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
