// A coordinator and one worker in this process on loopback, with a client that
// speaks tRPC over one WebSocket: the parts a benchmark measures, nothing else.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webSocketUrl } from '@nexa/core/config';
import { startServer } from '@nexa/server';
import { startWorker } from '@nexa/worker';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import WebSocket from 'ws';

export async function startStack({ capacity = 4 } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'nexa-bench-'));
  const env = { XDG_CONFIG_HOME: join(dir, 'config') };
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir: join(dir, 'data'),
    env,
    log: () => {},
  });
  const workerToken = await server.services.tokens.issue('worker', 'bench-worker');
  const worker = await startWorker({
    server: server.url,
    token: workerToken.token,
    name: 'bench',
    capacity,
    dataDir: join(dir, 'worker'),
    log: () => {},
  });
  const admin = await server.services.tokens.issue('admin', 'bench');
  const wsClient = createWSClient({
    url: webSocketUrl(server.url),
    WebSocket,
    connectionParams: { token: admin.token },
  });
  const client = createTRPCClient({ links: [wsLink({ client: wsClient })] });
  return {
    client,
    async close() {
      await wsClient.close();
      await worker.stop();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Submits a shell task and calls back on each event; resolves at the final status. */
export function runTask(client, command, onEvent) {
  return client.tasks.submit.mutate({ command }).then(
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
