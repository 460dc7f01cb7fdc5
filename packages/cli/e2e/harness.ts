import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TaskDetail } from '@nexa/core';
import { execa, type ResultPromise } from 'execa';

/** The built `nexa` entry point, as users run it. */
export const nexaBin = fileURLToPath(new URL('../bin/run.js', import.meta.url));

/** A private machine for one test file: its own config dir, data dir and home. */
export interface Home {
  dir: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function makeHome(): Promise<Home> {
  return homeAt(await mkdtemp(join(tmpdir(), 'nexa-e2e-')));
}

/** The home in `dir`, an empty directory: nothing of the user's own config, data or server reaches it. */
export function homeAt(dir: string): Home {
  const env = {
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    NEXA_DATA_DIR: join(dir, 'data'),
    NEXA_SERVER: '',
    NEXA_TOKEN: '',
  };
  return { dir, env, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Runs `nexa ARGS...` to completion. */
export async function nexa(
  home: Home,
  args: string[],
  env: Record<string, string> = {},
): Promise<CommandResult> {
  const started = performance.now();
  const result = await execa(process.execPath, [nexaBin, ...args], {
    env: { ...home.env, ...env },
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: false,
    maxBuffer: 256 * 1024 * 1024,
  });
  return {
    exitCode: result.exitCode ?? -1,
    stdout: result.stdout,
    stderr: result.stderr,
    durationMs: performance.now() - started,
  };
}

/** A long-running nexa process (server, worker, up) whose stderr lines we can wait for. */
export class Daemon {
  readonly child: ResultPromise;
  private output = '';
  private listeners: (() => void)[] = [];
  private exited = false;

  constructor(home: Home, args: string[], env: Record<string, string> = {}) {
    this.child = execa(process.execPath, [nexaBin, ...args], {
      env: { ...home.env, ...env },
      reject: false,
      stdin: 'ignore',
      buffer: false,
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.output += chunk;
      for (const listener of this.listeners) listener();
    });
    void this.child.then(() => {
      this.exited = true;
      for (const listener of this.listeners) listener();
    });
  }

  get log(): string {
    return this.output;
  }

  /** Resolves with the first match of `pattern` in the daemon's stderr; rejects if it exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.output.match(pattern);
        if (match) {
          this.listeners = this.listeners.filter((l) => l !== check);
          resolve(match);
        } else if (this.exited) {
          this.listeners = this.listeners.filter((l) => l !== check);
          reject(new Error(`process exited before printing ${pattern}:\n${this.output}`));
        }
      };
      this.listeners.push(check);
      check();
    });
  }

  /** Sends a signal without waiting (SIGKILL, SIGSTOP, SIGCONT...). */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  get exitedYet(): boolean {
    return this.exited;
  }

  /** Sends a signal and resolves with the exit code once the process has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | undefined> {
    if (!this.exited) this.child.kill(signal);
    const result = await this.child;
    return result.exitCode;
  }
}

/** `nexa server` on a free port (or the given one, to restart on the same address). */
export async function startServer(
  home: Home,
  extra: string[] = [],
  port = '0',
): Promise<{ daemon: Daemon; url: string }> {
  const daemon = new Daemon(home, ['server', '--port', port, ...extra]);
  const [, url] = (await daemon.waitFor(/listening on (https?:\/\/\S+) /)) as [string, string];
  return { daemon, url };
}

export async function workerToken(home: Home, url: string): Promise<string> {
  const result = await nexa(home, ['token', 'create', '--role', 'worker', '--json', '--server', url]);
  if (result.exitCode !== 0) throw new Error(`token create failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { token: string }).token;
}

export async function startWorker(
  home: Home,
  url: string,
  token: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<Daemon> {
  // Tests of dispatch run plain processes; pass --walled-only for a worker that offers walls alone.
  const allow = extra.includes('--walled-only') ? [] : ['--allow-unsandboxed'];
  const flags = extra.filter((flag) => flag !== '--walled-only');
  // The token travels in the environment, as the README says to: never on a command line.
  const daemon = new Daemon(home, ['worker', '--server', url, ...allow, ...flags], {
    NEXA_TOKEN: token,
    ...env,
  });
  await daemon.waitFor(/connected to/);
  return daemon;
}

/** The admin token `nexa server` saved for `url` in this home's credentials file. */
export async function adminToken(home: Home, url: string): Promise<string> {
  const credentials = JSON.parse(
    await readFile(join(home.dir, 'config', 'nexa', 'credentials.json'), 'utf8'),
  );
  return credentials.servers[url].token as string;
}

/** Starts `nexa ARGS...` in the background; the promise settles when it exits. */
export function nexaInBackground(
  home: Home,
  args: string[],
): { daemon: Daemon; result: Promise<CommandResult> } {
  const started = performance.now();
  const child = execa(process.execPath, [nexaBin, ...args], {
    env: home.env,
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: false,
    maxBuffer: 256 * 1024 * 1024,
  });
  const daemon = Object.assign(Object.create(Daemon.prototype) as Daemon, { child });
  const result = child.then((r) => ({
    exitCode: r.exitCode ?? -1,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
    durationMs: performance.now() - started,
  }));
  return { daemon, result };
}

/** The task id from the final `{"type":"result",...}` line of `nexa run --json`. */
export function resultTaskId(run: CommandResult): string {
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
    type?: string;
    taskId?: string;
  };
  if (result.type !== 'result' || !result.taskId)
    throw new Error(`no result line in: ${run.stdout.slice(-500)}`);
  return result.taskId;
}

/** `nexa tasks show ID --json`, parsed: the task as a script sees it. */
export async function showTask(home: Home, id: string): Promise<TaskDetail> {
  const shown = await nexa(home, ['tasks', 'show', id, '--json']);
  if (shown.exitCode !== 0) throw new Error(`nexa tasks show ${id}: ${shown.stderr}`);
  return JSON.parse(shown.stdout) as TaskDetail;
}

/** The newest task's id, once there is one (for a task started by `nexa run` in the background). */
export async function newestTaskId(home: Home): Promise<string> {
  for (;;) {
    const [task] = JSON.parse((await nexa(home, ['tasks', 'list', '--limit', '1', '--json'])).stdout) as {
      id: string;
    }[];
    if (task) return task.id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
