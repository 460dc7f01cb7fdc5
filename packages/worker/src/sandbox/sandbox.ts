import type { Readable, Writable } from 'node:stream';
import type { SandboxName } from '@nexa/core';
import { nodeRuntime } from '../nodeRuntime.js';

/** Resource limits a sandbox enforces where it can (the process sandbox enforces none). */
export interface SandboxLimits {
  memoryBytes?: number;
  cpus?: number;
  pids?: number;
}

export interface SpawnRequest {
  argv: string[];
  /** The task's working copy on the worker's machine; sandboxes mount it read-write at WORKDIR_IN_SANDBOX. */
  workdir: string;
  /** The complete environment: sandboxes never add the worker's own. HOME is the working copy. */
  env: Record<string, string>;
  /** How the process reaches the network (walled sandboxes; a plain process has the machine's). */
  network: SandboxNetwork;
  limits: SandboxLimits;
  /** Container image (docker only). */
  image?: string;
  /** Give the process a stdin pipe (agents that take requests on stdin); otherwise stdin is empty. */
  stdin?: boolean;
  /**
   * Host directories the process may read (an agent's own installation,
   * outside the system directories). Walled sandboxes mount them read-only
   * under TOOLS_IN_SANDBOX (see `toolMounts`), never over the working copy.
   */
  readOnlyPaths?: string[];
}

/**
 * `none`: no network at all, not even loopback services of the host. `open`:
 * the sandbox's own network. `proxied`: no network of its own, only the
 * worker's egress proxy, reached through a unix socket in the working copy
 * by a bridge that runs first in the sandbox and then runs the argv (see
 * egress/bridge.ts); paths are as the sandbox sees them.
 */
export type SandboxNetwork =
  | { mode: 'none' }
  | { mode: 'open' }
  | { mode: 'proxied'; bridge: { script: string; socket: string } };

/** Where walled sandboxes (docker, bwrap) put the working copy. */
export const WORKDIR_IN_SANDBOX = '/work';

/** Where walled sandboxes mount `readOnlyPaths`: each host path under this prefix. */
export const TOOLS_IN_SANDBOX = '/opt/nexa';

/**
 * A walled sandbox's read-only tool mounts ([host, inside] pairs), and its
 * argv with a program inside one of them renamed to where it is mounted. A
 * host path is mounted at the same path under /opt/nexa, so an installation
 * that sits under /work on the host is not hidden by the working copy, and
 * its relative links (node_modules/.bin, pnpm's store) still resolve. A
 * proxied network puts the egress bridge in front of the argv, run by this
 * machine's node as the sandbox's `system` needs it (mounted here too).
 */
export function toolMounts(
  request: SpawnRequest,
  system: 'host' | 'image',
): { mounts: [string, string][]; argv: string[] } {
  const runtime = request.network.mode === 'proxied' ? nodeRuntime(system) : undefined;
  const paths = [...new Set([...(request.readOnlyPaths ?? []), ...(runtime?.paths ?? [])])];
  const mounts = paths.map((path): [string, string] => [path, `${TOOLS_IN_SANDBOX}${path}`]);
  const inSandbox = (path: string) =>
    mounts.some(([host]) => path === host || path.startsWith(`${host}/`))
      ? `${TOOLS_IN_SANDBOX}${path}`
      : path;
  const [first = '', ...rest] = request.argv;
  const argv = [inSandbox(first), ...rest];
  if (request.network.mode !== 'proxied' || !runtime) return { mounts, argv };
  const { bridge } = request.network;
  return { mounts, argv: [...runtime.argv(inSandbox), bridge.script, bridge.socket, ...argv] };
}

/**
 * The environment as a walled sandbox's process sees it: HOME, a directory
 * of the working copy on the host (the copy itself, or an agent's home in
 * it), becomes the same directory under /work.
 */
export function envInSandbox(request: SpawnRequest): Record<string, string> {
  const home = request.env.HOME ?? request.workdir;
  const inside = home.startsWith(`${request.workdir}/`) ? home.slice(request.workdir.length) : '';
  return { ...request.env, HOME: `${WORKDIR_IN_SANDBOX}${inside}` };
}

export interface ExitInfo {
  /** The process's exit code, or 128 + signal number when a signal ended it (as shells report). */
  exitCode: number;
  /** Why it ended abnormally: "oom" when the memory limit killed it, else a sentence. */
  reason?: string;
}

export interface SandboxProcess {
  /** The process's stdin when the request asked for one; otherwise a stream that goes nowhere. */
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  wait(): Promise<ExitInfo>;
  /** Signals the process and everything it started. */
  kill(signal?: NodeJS.Signals): void;
}

/** Somewhere a task's processes run. Adding one means one file here and one line in index.ts. */
export interface Sandbox {
  readonly name: SandboxName;
  /**
   * Whose system directories (/usr, /lib) its processes see: this machine's,
   * or a container image's, where a program of this machine (node) also needs
   * its shared libraries and loader mounted.
   */
  readonly system: 'host' | 'image';
  /** Whether this sandbox really works on this machine; a string says why not. */
  probe(): Promise<true | string>;
  spawn(request: SpawnRequest): SandboxProcess;
}
