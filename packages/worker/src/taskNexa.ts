import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MCP_SOCKET, startMcpRelay } from './mcpRelay.js';
import { NEXA_MCP_NAME, type NexaMcpServer } from './nexaMcp.js';
import { nodeRuntime } from './nodeRuntime.js';
import { ownDir, writeOwnFile } from './ownCorner.js';
import { TOOLS_IN_SANDBOX } from './sandbox/index.js';

/** Where a task finds `nexa`, in its working copy (git-excluded with the rest of .nexa/). */
export const NEXA_BIN_DIR = '.nexa/bin';

/**
 * The `nexa` an attempt with a task token gets: a relay to the coordinator
 * in its working copy, the CLI on its PATH (a command task can start
 * children, post, use kv), and `nexa mcp` for an agent that takes MCP servers.
 */
export interface TaskNexa {
  /** Host paths the sandbox mounts read-only for it: node, its libraries in a container, the installation. */
  readOnlyPaths: string[];
  /** Variables for the attempt's processes: where the relay is, the token, the project, and PATH with `nexa` first. */
  env(path: string | undefined): Record<string, string>;
  /** `nexa mcp`, as agents start it. */
  mcp: NexaMcpServer;
  /** Stops the relay: the token stops working anyway when the attempt ends. */
  close(): Promise<void>;
}

/**
 * The host directories `nexa` reads beside node: the installation its script
 * belongs to (a node_modules tree, or the whole pnpm workspace of a checkout,
 * whose packages link to each other).
 */
export function nexaInstallPaths(command: readonly string[]): string[] {
  const paths = new Set<string>();
  for (const arg of command.slice(1)) {
    if (!arg.startsWith('/') || !existsSync(arg)) continue;
    const real = realpathSync(arg);
    const inModules = /^(.*?\/node_modules)(\/|$)/.exec(real);
    paths.add(inModules?.[1] ?? installationRoot(real));
  }
  return [...paths];
}

function installationRoot(file: string): string {
  let packageRoot: string | undefined;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (!packageRoot && existsSync(join(dir, 'package.json'))) packageRoot = dir;
  }
  return packageRoot ?? dirname(file);
}

const shellWord = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** Starts the relay and writes the `nexa` script; a sentence instead when the relay cannot be. */
export async function startTaskNexa(options: {
  /** The working copy on this machine. */
  workdir: string;
  /** The working copy as the attempt's processes see it. */
  workdirInSandbox: string;
  /** Whether the sandbox shows host paths under /opt/nexa (docker, bwrap) or as they are (a process). */
  walled: boolean;
  system: 'host' | 'image';
  /** The argv that runs the nexa CLI on this machine: node, then its run.js. */
  nexaCommand: readonly string[];
  server: string;
  /** PEM of a private CA an https coordinator's certificate is checked against. */
  ca?: string | undefined;
  token: string;
  project: string;
}): Promise<TaskNexa | string> {
  const [node = process.execPath, ...script] = options.nexaCommand;
  const runtime = nodeRuntime(options.system, node);
  const readOnlyPaths = [...new Set([...runtime.paths, ...nexaInstallPaths(options.nexaCommand)])];
  const inSandbox = (path: string) =>
    options.walled && readOnlyPaths.some((dir) => path === dir || path.startsWith(`${dir}/`))
      ? `${TOOLS_IN_SANDBOX}${path}`
      : path;
  const argv = [...runtime.argv(inSandbox), ...script.map(inSandbox)];

  const relay = await startMcpRelay(options.workdir, options.server, options.ca);
  if (typeof relay === 'string') return relay;
  const wrapper = join(ownDir(options.workdir, NEXA_BIN_DIR), 'nexa');
  writeOwnFile(wrapper, `#!/bin/sh\nexec ${argv.map(shellWord).join(' ')} "$@"\n`, 0o755);

  const nexaEnv = {
    NEXA_SERVER: `unix:${options.workdirInSandbox}/${MCP_SOCKET}`,
    NEXA_TOKEN: options.token,
    NEXA_PROJECT: options.project,
  };
  const [command = '', ...args] = argv;
  return {
    readOnlyPaths,
    env: (path) => ({
      ...nexaEnv,
      PATH: `${options.workdirInSandbox}/${NEXA_BIN_DIR}${path ? `:${path}` : ''}`,
    }),
    mcp: { name: NEXA_MCP_NAME, command, args: [...args, 'mcp'], env: nexaEnv },
    close: () => relay.close(),
  };
}
