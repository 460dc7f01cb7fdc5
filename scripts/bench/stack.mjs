// A coordinator and one worker as separate processes on loopback, started
// through the built `nexa` CLI as a user would, and a client in this process
// that speaks tRPC over one WebSocket.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNexaClient } from '@nexa/core/client';

const nexaBin = fileURLToPath(new URL('../../packages/cli/bin/run.js', import.meta.url));

export function startDaemon(args, env, ready) {
  const child = spawn(process.execPath, [nexaBin, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const started = new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const match = log.match(ready);
      if (match) resolve(match);
    });
    child.once('exit', (code) => reject(new Error(`nexa ${args[0]} exited (${code}):\n${log}`)));
  });
  return { child, started };
}

async function stopDaemon(child) {
  if (child.exitCode !== null || child.signalCode !== null) return; // already gone
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A coordinator and workers (one by default) as processes, plus a client. */
export async function startStack({ capacity = 4, workers = ['bench'] } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'nexa-bench-'));
  const env = {
    XDG_CONFIG_HOME: join(dir, 'config'),
    NEXA_DATA_DIR: join(dir, 'data'),
    NEXA_SERVER: '',
    NEXA_TOKEN: '',
  };
  // A bench submits thousands of tasks a minute on one token: far past a person's rate limit.
  const server = startDaemon(
    ['server', '--port', '0', '--submit-rate', '1000000'],
    env,
    /listening on (http:\/\/\S+) /,
  );
  const [, url] = await server.started;
  const credentials = JSON.parse(await readFile(join(dir, 'config', 'nexa', 'credentials.json'), 'utf8'));
  const adminToken = credentials.servers[url].token;

  const { client, close: closeClient } = createNexaClient({
    server: url,
    token: adminToken,
    transport: 'websocket',
  });
  const { token: workerToken } = await client.tokens.create.mutate({ role: 'worker' });
  const children = {};
  for (const name of workers) {
    const worker = startDaemon(
      [
        'worker',
        '--server',
        url,
        '--name',
        name,
        '--capacity',
        String(capacity),
        '--shutdown-timeout',
        '0s',
        '--allow-unsandboxed',
      ],
      // The token in the environment, not on a command line every user can list.
      { ...env, NEXA_TOKEN: workerToken },
      /connected to/,
    );
    await worker.started;
    children[name] = worker.child;
  }
  return {
    url,
    client,
    workers: children,
    coordinator: server.child,
    async close() {
      await closeClient();
      for (const child of Object.values(children)) await stopDaemon(child);
      await stopDaemon(server.child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Submits a shell task and calls back on each event; resolves at the final status. */
export function runTask(client, command, onEvent, sandbox = 'process') {
  return client.tasks.submit.mutate({ command, sandbox }).then(
    (task) =>
      new Promise((resolve, reject) => {
        const subscription = client.events.tail.subscribe(
          { taskId: task.id },
          {
            onData: ({ data }) => onEvent(data),
            onError: (error) => {
              subscription.unsubscribe();
              reject(error);
            },
            onComplete: () => resolve(task),
          },
        );
      }),
  );
}
