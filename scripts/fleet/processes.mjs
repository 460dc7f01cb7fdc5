// Every process the fleet bench starts, in one place, so each is stopped
// whatever happens (a failure, Ctrl-C): the coordinator, the real worker,
// the simulator processes; and the temp dir they share.
import { fork, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const nexaBin = fileURLToPath(new URL('../../packages/cli/bin/run.js', import.meta.url));
const simBin = fileURLToPath(new URL('./simWorkers.mjs', import.meta.url));

/** How long a process may take to stop on SIGTERM before it gets SIGKILL. */
const STOP_MS = 5000;

export class Processes {
  children = new Set();
  dirs = new Set();

  async tempDir() {
    const dir = await mkdtemp(join(tmpdir(), 'nexa-fleet-'));
    this.dirs.add(dir);
    return dir;
  }

  track(child) {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** A `nexa` daemon; resolves with its process and the match of `ready` in its stderr. */
  async daemon(args, env, ready) {
    const child = this.track(
      spawn(process.execPath, [nexaBin, ...args], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
    );
    const output = { log: '', lines: [] };
    const match = await new Promise((resolve, reject) => {
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk) => {
        // Keep the start of the log for errors; later lines are only scanned.
        if (output.log.length < 64 * 1024) output.log += chunk;
        for (const listener of output.lines) listener(chunk);
        const found = output.log.match(ready);
        if (found) resolve(found);
      });
      child.once('exit', (code) => reject(new Error(`nexa ${args[0]} exited (${code}):\n${output.log}`)));
    });
    return { child, match, onLog: (listener) => output.lines.push(listener) };
  }

  /** A coordinator on a free port with its own data dir and credentials. */
  async coordinator({ heartbeat = '2s', lease = '10s' } = {}) {
    const dir = await this.tempDir();
    const env = {
      XDG_CONFIG_HOME: join(dir, 'config'),
      NEXA_DATA_DIR: join(dir, 'data'),
      NEXA_SERVER: '',
      NEXA_TOKEN: '',
    };
    const { child, match, onLog } = await this.daemon(
      ['server', '--port', '0', '--heartbeat', heartbeat, '--lease', lease],
      env,
      /listening on (http:\/\/\S+) /,
    );
    const url = match[1];
    const credentials = JSON.parse(await readFile(join(dir, 'config', 'nexa', 'credentials.json'), 'utf8'));
    return { child, url, adminToken: credentials.servers[url].token, env, onLog };
  }

  /** One real `nexa worker` (process sandbox) with the given label. */
  async realWorker({ url, token, env, name, label, capacity }) {
    const { child } = await this.daemon(
      [
        'worker',
        ...['--server', url, '--name', name, '--labels', label],
        ...['--capacity', String(capacity), '--shutdown-timeout', '0s', '--allow-unsandboxed'],
      ],
      // The token in the environment, not on a command line every user can list.
      { ...env, NEXA_DATA_DIR: join(env.NEXA_DATA_DIR, 'worker'), NEXA_TOKEN: token },
      /connected to/,
    );
    return child;
  }

  /** A simulator process (simWorkers.mjs); resolves once all its workers registered. */
  async simulator({ url, token, name, workers, capacity, label }) {
    const child = this.track(
      fork(
        simBin,
        [
          ...['--server', url, '--name', name, '--workers', String(workers)],
          ...['--capacity', String(capacity), '--label', label],
        ],
        // The token in the environment, not on a command line every user can list.
        {
          stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
          execArgv: [],
          env: { ...process.env, NEXA_TOKEN: token },
        },
      ),
    );
    await new Promise((resolve, reject) => {
      const onMessage = (message) => {
        if (message.type !== 'ready') return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve();
      };
      const onExit = (code) =>
        reject(new Error(`simulator ${name} exited (${code}) before its workers registered`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    return child;
  }

  async stop(child) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
    await exited;
    clearTimeout(timer);
  }

  /** Stops everything, simulators and workers before the coordinator, and removes the temp dirs. */
  async stopAll(coordinator) {
    await Promise.all(
      [...this.children].filter((child) => child !== coordinator).map((child) => this.stop(child)),
    );
    if (coordinator) await this.stop(coordinator);
    for (const dir of this.dirs) await rm(dir, { recursive: true, force: true });
    this.dirs.clear();
  }

  /** On Ctrl-C or a crash no child may outlive us: SIGKILL them all, synchronously. */
  killAllNow() {
    for (const child of this.children) child.kill('SIGKILL');
  }
}
