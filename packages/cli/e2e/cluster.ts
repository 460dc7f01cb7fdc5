import type { StoredTaskEvent } from '@nexa/core';
import {
  adminToken,
  type Daemon,
  type Home,
  makeHome,
  startServer,
  startWorker,
  workerToken,
} from './harness.js';
import { type Observer, observe } from './observer.js';

/**
 * A coordinator in its own home, a client watching it, and the workers a test
 * starts; `stop()` ends them all (workers first, frozen ones thawed).
 */
export interface Cluster {
  home: Home;
  server: Daemon;
  url: string;
  observer: Observer;
  worker(name: string, flags?: string[], env?: Record<string, string>): Promise<Daemon>;
  /** The newest task not handed out before: the one a test just started through `nexa run`. */
  nextTask(): Promise<string>;
  stop(): Promise<void>;
}

export async function startCluster(serverFlags: string[] = []): Promise<Cluster> {
  const home = await makeHome();
  const { daemon: server, url } = await startServer(home, serverFlags);
  home.env.NEXA_SERVER = url;
  const observer = observe(url, await adminToken(home, url));
  const token = await workerToken(home, url);
  const workers: Daemon[] = [];
  const seen = new Set<string>();
  return {
    home,
    server,
    url,
    observer,
    async worker(name, flags = [], env = {}) {
      const daemon = await startWorker(home, url, token, ['--name', name, ...flags], env);
      workers.push(daemon);
      return daemon;
    },
    async nextTask() {
      for (;;) {
        const [task] = await observer.api.tasks.list.query({ limit: 1 });
        if (task && !seen.has(task.id)) {
          seen.add(task.id);
          return task.id;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      for (const worker of workers) {
        worker.signal('SIGCONT');
        await worker.stop('SIGKILL');
      }
      await observer.close();
      await server.stop();
      await home.cleanup();
    },
  };
}

/** Matches an output event containing `text`. */
export const output =
  (text: string) =>
  (event: StoredTaskEvent): boolean =>
    event.kind === 'output' && event.data.includes(text);
