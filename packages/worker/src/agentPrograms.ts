import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { type AgentName, agentKind, agentNames, missingCredential } from '@nexa/core';

/** Finds an executable by name on PATH (or checks a path); undefined when there is none. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = name.includes('/')
    ? [resolve(name)]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Where this worker's agents are: `--agent-bin NAME=PATH` first, then PATH.
 * An agent without a CLI of its own (shell; acp, whose task names its command,
 * resolved when it runs) is always offered; the others only when found.
 */
export class AgentPrograms {
  private readonly found = new Map<string, string>();

  constructor(
    private readonly bins: Readonly<Record<string, string>> = {},
    private readonly path = process.env.PATH ?? '',
  ) {
    for (const name of agentNames) {
      const { binary } = agentKind(name);
      if (!binary) continue;
      const location = this.locate(bins[name] ?? binary);
      if (location) this.found.set(name, location);
    }
  }

  private locate(binary: string): string | undefined {
    return findExecutable(binary, this.path);
  }

  /** The agents to advertise. */
  get available(): AgentName[] {
    return agentNames.filter((name) => !agentKind(name).binary || this.found.has(name));
  }

  /**
   * What to advertise given the variables passed to agents (--pass-env, and
   * set): an installed agent is ready only when a credential it needs is
   * passed, else it is unavailable with the reason a person can act on (an
   * agent that is not installed is simply not had, as the scheduler says).
   */
  readiness(passed: ReadonlySet<string>): {
    ready: AgentName[];
    unavailable: { agent: AgentName; reason: string }[];
  } {
    const ready: AgentName[] = [];
    const unavailable: { agent: AgentName; reason: string }[] = [];
    for (const agent of this.available) {
      const reason = missingCredential(agent, passed);
      if (reason) unavailable.push({ agent, reason });
      else ready.push(agent);
    }
    return { ready, unavailable };
  }

  /** What a bad --agent-bin points at, to say at start: "claude: /x/claude is not an executable". */
  get problems(): string[] {
    return Object.entries(this.bins)
      .filter(([, binary]) => !this.locate(binary))
      .map(([name, binary]) => `--agent-bin ${name}=${binary}: not an executable file`);
  }

  /**
   * The argv prefix a task's agent runs as: the CLI for claude and codex; for
   * acp the task's command with its first word resolved (an --agent-bin name,
   * then PATH). Empty for shell.
   */
  program(agent: AgentName, command: readonly string[]): string[] {
    const kind = agentKind(agent);
    if (kind.input === 'command') return [];
    if (kind.needsCommand) {
      const [first = '', ...rest] = command;
      return [this.locate(this.bins[first] ?? first) ?? first, ...rest];
    }
    const location = this.found.get(agent);
    if (!location) throw new Error(`the ${agent} agent is not installed on this worker`);
    return [location];
  }
}

/**
 * The host directories an agent's program needs to read inside a walled
 * sandbox: its installation, not just its file. A program inside a
 * node_modules tree needs that whole tree (its dependencies are siblings);
 * anything else, the directory it is in. System directories are already there.
 */
export function programPaths(program: readonly string[]): string[] {
  const [first] = program;
  if (!first || !isAbsolute(first)) return [];
  let real: string;
  try {
    real = realpathSync(first);
  } catch {
    return [];
  }
  const paths = new Set<string>();
  // Node-script agents start with `#!/usr/bin/env node`: node must be there too.
  for (const file of [first, real, process.execPath]) {
    const inModules = /^(.*?\/node_modules)(\/|$)/.exec(file);
    paths.add(inModules?.[1] ?? dirname(file));
  }
  const systemDirs = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/etc'];
  return [...paths].filter((path) => !systemDirs.some((dir) => path === dir || path.startsWith(`${dir}/`)));
}
