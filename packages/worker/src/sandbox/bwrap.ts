import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import { ProcessGroupLimits } from './cgroup.js';
import { sandboxProcess } from './childProcess.js';
import {
  envInSandbox,
  type Sandbox,
  type SandboxLimits,
  type SandboxProcess,
  type SpawnRequest,
  toolMounts,
  WORKDIR_IN_SANDBOX,
} from './sandbox.js';

/** System directories the sandbox sees, read-only (merged-/usr symlinks are recreated as links). */
const systemPaths = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc'];

function systemMounts(): string[] {
  const args: string[] = [];
  for (const path of systemPaths) {
    if (!existsSync(path)) continue;
    if (lstatSync(path).isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
    else args.push('--ro-bind', path, path);
  }
  return args;
}

/** The descriptor bwrap reads the task's environment from (`--args`): the first after stdio. */
const ENV_ARGS_FD = 3;

/**
 * The task's environment as bwrap options, NUL-separated, for `--args`: a
 * command line is readable by every process on the machine (/proc/PID/cmdline,
 * `ps`), including other tasks, so values (API keys) never go in one. bwrap
 * itself keeps the worker's clean environment: the task's variables never
 * reach a process outside the sandbox (LD_PRELOAD would run code on the host).
 */
export function bwrapEnvArgs(request: SpawnRequest): string {
  const env = envInSandbox(request);
  // The arguments are NUL-separated: a NUL inside a name or value would end it early, and
  // what follows would be read as bwrap options of its own (`--bind / /host`). The task
  // schema refuses such values; the sandbox refuses them again rather than trust that.
  for (const [name, value] of Object.entries(env)) {
    if (name.includes('\0') || value.includes('\0')) {
      throw new Error(`the environment variable ${name.replace(/\0/g, '\\0')} holds a NUL character`);
    }
  }
  return Object.entries(env)
    .flatMap(([name, value]) => ['--setenv', name, value])
    .map((arg) => `${arg}\0`)
    .join('');
}

/**
 * The bubblewrap command line: new user, pid, ipc, uts, cgroup and (unless
 * asked) network namespaces; a read-only system; a private /tmp, /proc and
 * /dev; the working copy read-write at /work; nothing of anyone's home; the
 * task's environment only (read from ENV_ARGS_FD, see bwrapEnvArgs); and
 * the sandbox dies with the worker.
 */
export function bwrapArgs(request: SpawnRequest): string[] {
  const tools = toolMounts(request, 'host');
  return [
    '--die-with-parent',
    '--unshare-all',
    ...(request.network.mode === 'open' ? ['--share-net'] : []),
    '--uid',
    '65534',
    '--gid',
    '65534',
    '--hostname',
    'nexa',
    ...systemMounts(),
    ...tools.mounts.flatMap(([host, inside]) => ['--ro-bind', host, inside]),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--bind',
    request.workdir,
    WORKDIR_IN_SANDBOX,
    '--chdir',
    WORKDIR_IN_SANDBOX,
    '--clearenv',
    '--args',
    String(ENV_ARGS_FD),
    '--',
    ...tools.argv,
  ];
}

/** Runs tasks under bubblewrap, with cgroup limits where the worker may make cgroups. */
export function bwrapSandbox(options: { bwrapPath?: string; defaults?: SandboxLimits } = {}): Sandbox {
  const bwrap = options.bwrapPath ?? 'bwrap';
  return {
    name: 'bwrap',
    system: 'host',

    async probe() {
      const result = spawnSync(bwrap, ['--die-with-parent', '--unshare-all', '--ro-bind', '/', '/', 'true'], {
        timeout: 5000,
        encoding: 'utf8',
      });
      if (result.error) return `bubblewrap is not installed (${basename(bwrap)}: ${result.error.message})`;
      if (result.status !== 0) return `bubblewrap cannot create namespaces here: ${result.stderr.trim()}`;
      return true;
    },

    spawn(request: SpawnRequest): SandboxProcess {
      const env = bwrapEnvArgs(request); // first: a refused environment starts nothing
      const limits = { ...options.defaults, ...request.limits };
      const group = ProcessGroupLimits.create(
        `${basename(request.workdir)}-${process.pid}-${Date.now()}`,
        limits,
      );
      const argv = [bwrap, ...bwrapArgs(request)];
      const [file, ...args] = (group ? group.wrap(argv) : argv) as [string, ...string[]];
      const child = spawn(file, args, {
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
        detached: true,
      });
      const envArgs = child.stdio[ENV_ARGS_FD] as Writable;
      envArgs.on('error', () => {}); // bwrap failed to start: its exit says why
      envArgs.end(env);
      return sandboxProcess(child, 'bubblewrap', request.stdin, () => {
        const oom = group?.oomKilled() ?? false;
        group?.remove();
        return oom ? { exitCode: 137, reason: 'oom' } : undefined;
      });
    },
  };
}
