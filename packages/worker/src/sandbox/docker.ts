import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { constants } from 'node:os';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import {
  type ExitInfo,
  envInSandbox,
  type Sandbox,
  type SandboxLimits,
  type SandboxProcess,
  type SpawnRequest,
  toolMounts,
  WORKDIR_IN_SANDBOX,
} from './sandbox.js';

/** The image scripts/testImage.sh builds: static busybox and nothing else. */
export const DEFAULT_TEST_IMAGE = 'nexa-test:busybox';

/** Every container this sandbox makes carries this label, so leftovers can be found and removed. */
export const SANDBOX_LABEL = 'nexa.sandbox';

const run = promisify(execFile);

/** The user a task runs as when the working copy belongs to root: nobody. */
const NOBODY = '65534:65534';

export interface DockerSandboxOptions {
  defaultImage: string;
  socketPath?: string;
  defaults?: SandboxLimits;
}

interface DockerError {
  statusCode?: number;
  syscall?: string;
  message?: string;
}

function signalNumber(signal: string): number {
  return (constants.signals as Record<string, number>)[signal] ?? 0;
}

/**
 * chown -R on a copy holding the task's symlinks: -P walks no symlink and -h
 * changes the link itself, never what it points to (a host file). GNU chown
 * defaults to this under -R; spelled out so no other chown or alias differs.
 */
const NEVER_FOLLOW = ['-R', '-P', '-h'];

/**
 * The uid:gid the task runs as: the working copy's owner, so the task can change
 * its own files. When root owns it (a worker running as root) the task runs as
 * nobody instead, never as root, and the working copy is lent to nobody for the
 * run (chown -R, and back afterwards by `returnWorkdir`), so that a clone's
 * existing files can be edited too. It is the task's own copy: lending it
 * exposes nothing the task could not already see.
 */
async function sandboxUser(workdir: string): Promise<{ user: string; lent: boolean }> {
  const owner = await stat(workdir);
  if (owner.uid !== 0) return { user: `${owner.uid}:${owner.gid}`, lent: false };
  await run('chown', [...NEVER_FOLLOW, NOBODY, workdir]);
  return { user: NOBODY, lent: true };
}

/** Gives a lent working copy back to root, so the worker can read and clean it up as before. */
async function returnWorkdir(workdir: string): Promise<void> {
  await run('chown', [...NEVER_FOLLOW, '0:0', workdir]);
}

function containerConfig(
  request: SpawnRequest,
  image: string,
  user: string,
  defaults: SandboxLimits,
): Docker.ContainerCreateOptions {
  const memoryBytes = request.limits.memoryBytes ?? defaults.memoryBytes;
  const cpus = request.limits.cpus ?? defaults.cpus;
  const pids = request.limits.pids ?? defaults.pids;
  const env = envInSandbox(request);
  const tools = toolMounts(request, 'image');
  return {
    Image: image,
    Cmd: tools.argv,
    // tini forwards signals to the whole process group (a shell as PID 1 would ignore
    // SIGTERM) and reaps orphans; it reads this variable, the task does not need it.
    Env: [...Object.entries(env).map(([key, value]) => `${key}=${value}`), 'TINI_KILL_PROCESS_GROUP=1'],
    WorkingDir: WORKDIR_IN_SANDBOX,
    User: user,
    Labels: { [SANDBOX_LABEL]: '1' },
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    HostConfig: {
      Init: true,
      NetworkMode: request.network.mode === 'open' ? 'bridge' : 'none',
      ReadonlyRootfs: true,
      // tmpfs pages count against the memory limit, so /tmp cannot outgrow it.
      Tmpfs: { '/tmp': 'rw,nosuid,nodev,mode=1777' },
      Binds: [
        `${request.workdir}:${WORKDIR_IN_SANDBOX}:rw`,
        ...tools.mounts.map(([host, inside]) => `${host}:${inside}:ro`),
      ],
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Memory: memoryBytes,
      // Equal to Memory: the limit is on memory plus swap, so the task cannot swap its way past it.
      MemorySwap: memoryBytes,
      NanoCpus: cpus === undefined ? undefined : Math.round(cpus * 1e9),
      PidsLimit: pids,
      // Not AutoRemove: that can remove the container before wait() and inspect() read its exit.
      AutoRemove: false,
    },
  };
}

/**
 * Runs each process in a fresh container: read-only image, only the working copy
 * writable (at /work), no network unless asked, no capabilities, not root, and
 * memory/CPU/pids limits. The container is removed once its exit has been read.
 */
export function dockerSandbox(options: DockerSandboxOptions): Sandbox {
  const socketPath = options.socketPath ?? '/var/run/docker.sock';
  // dockerode brings ssh2, gRPC and protobuf with it: only a worker that uses Docker loads it.
  let engine: Promise<Docker> | undefined;
  const docker = () =>
    (engine ??= import('dockerode').then(({ default: Dockerode }) => new Dockerode({ socketPath })));
  const defaults = options.defaults ?? {};

  async function probe(): Promise<true | string> {
    try {
      await (await docker()).ping();
    } catch {
      return `docker engine not reachable at ${socketPath}`;
    }
    try {
      await (await docker()).getImage(options.defaultImage).inspect();
      return true;
    } catch {
      return `docker image ${options.defaultImage} not found`;
    }
  }

  function spawn(request: SpawnRequest): SandboxProcess {
    const image = request.image ?? options.defaultImage;
    // Returned at once, like a child process's pipes; the container is made behind them.
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.setEncoding('utf8');
    stderr.setEncoding('utf8');
    let container: Docker.Container | undefined;
    let started = false;
    let killedBy: NodeJS.Signals | undefined;

    function signalContainer(signal: NodeJS.Signals) {
      // It may have ended or been removed already; then there is nothing to signal.
      void container?.kill({ signal }).catch(() => {});
    }

    /** Splits the container's multiplexed output into stdout/stderr; resolves when it ends. */
    function demux(modem: Docker['modem'], attached: NodeJS.ReadableStream): Promise<void> {
      modem.demuxStream(attached, stdout, stderr);
      // demuxStream ignores write()'s result; pause the container's output while a reader
      // is behind (Docker then blocks the task's writes) instead of buffering without bound.
      const pace = () => {
        if (stdout.writableNeedDrain || stderr.writableNeedDrain) attached.pause();
        else attached.resume();
      };
      attached.on('data', pace);
      stdout.on('drain', pace);
      stderr.on('drain', pace);
      return new Promise((resolve) => {
        attached.once('end', resolve);
        attached.once('close', resolve);
        attached.once('error', () => resolve());
      });
    }

    let lent = false;
    async function runContainer(): Promise<ExitInfo> {
      try {
        const owner = await sandboxUser(request.workdir);
        lent = owner.lent;
        const user = owner.user;
        const client = await docker();
        container = await client.createContainer(containerConfig(request, image, user, defaults));
        if (killedBy) return { exitCode: 128 + signalNumber(killedBy), reason: `killed by ${killedBy}` };
        // Attach before start, so not a byte of early output is lost.
        const output = demux(
          client.modem,
          await container.attach({ stream: true, stdout: true, stderr: true }),
        );
        await container.start();
        started = true;
        if (killedBy) signalContainer(killedBy); // a kill that came while it was starting
        const [{ StatusCode }] = await Promise.all([
          container.wait() as Promise<{ StatusCode: number }>,
          output,
        ]);
        const { State } = await container.inspect();
        if (State.OOMKilled) return { exitCode: 137, reason: 'oom' };
        // A task may handle the signal and exit on its own terms; only a death by it is "killed".
        if (killedBy && StatusCode === 128 + signalNumber(killedBy)) {
          return { exitCode: StatusCode, reason: `killed by ${killedBy}` };
        }
        return { exitCode: StatusCode };
      } catch (error) {
        return failure(error, image, socketPath);
      } finally {
        stdout.end();
        stderr.end();
        await container?.remove({ force: true }).catch(() => {});
        if (lent) await returnWorkdir(request.workdir).catch(() => {});
      }
    }

    const exit = runContainer();
    return {
      // Not wired to the container yet: agents that talk over stdin run in bwrap or a process.
      stdin: new PassThrough().resume(),
      stdout,
      stderr,
      wait: () => exit,
      kill(signal: NodeJS.Signals = 'SIGTERM') {
        killedBy = signal;
        if (started) signalContainer(signal);
      },
    };
  }

  return { name: 'docker', system: 'image', probe, spawn };
}

/** 125, as `docker run` exits when the container could not be run at all. */
function failure(error: unknown, image: string, socketPath: string): ExitInfo {
  const { syscall, statusCode, message = '' } = error as DockerError;
  if (syscall === 'connect') return { exitCode: 125, reason: `docker engine not reachable at ${socketPath}` };
  if (statusCode === 404 && /image/i.test(message)) {
    return {
      exitCode: 125,
      reason: `docker image ${image} is not available on this worker; build or pull it, or pass --image`,
    };
  }
  return { exitCode: 125, reason: `docker could not run the task: ${message}` };
}
