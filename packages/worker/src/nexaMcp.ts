import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { programPaths } from './agentPrograms.js';
import { MCP_SOCKET } from './mcpRelay.js';

/** The MCP server name agents know nexa's tools by: Claude Code calls them `mcp__nexa__<tool>`. */
export const NEXA_MCP_NAME = 'nexa';

/**
 * `nexa mcp` as an agent starts it, in the agent's own view of the files
 * (a walled sandbox sees host installations under /opt/nexa). The token is
 * in `env`, never in `args`: every adapter hands env over as env.
 */
export interface NexaMcpServer {
  name: typeof NEXA_MCP_NAME;
  command: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * The host directories `nexa mcp` reads, for the sandbox's read-only mounts:
 * node's, and the installation its script belongs to (a node_modules tree, or
 * the whole pnpm workspace of a checkout, whose packages link to each other).
 */
export function nexaMcpPaths(command: readonly string[]): string[] {
  const paths = new Set(programPaths(command));
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

/** The server an attempt's agent is given: its command as the sandbox sees it, and where to reach the relay. */
export function nexaMcpServer(options: {
  command: readonly string[];
  /** Maps a host path to where the sandbox shows it. */
  pathInSandbox: (hostPath: string) => string;
  /** The working copy as the agent sees it. */
  workdir: string;
  token: string;
  project: string;
}): NexaMcpServer {
  const [program = '', ...args] = options.command.map(options.pathInSandbox);
  return {
    name: NEXA_MCP_NAME,
    command: program,
    args,
    env: {
      NEXA_SERVER: `unix:${options.workdir}/${MCP_SOCKET}`,
      NEXA_TOKEN: options.token,
      NEXA_PROJECT: options.project,
    },
  };
}
