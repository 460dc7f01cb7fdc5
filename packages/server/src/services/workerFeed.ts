import type { Principal, WorkerInfo } from '@nexa/core';
import { visibleProjects } from './projectScope.js';
import type { TaskFeed } from './taskFeed.js';
import type { WorkerHub } from './workerHub.js';

/** The fastest the worker list is sent again: at most 4 times a second. */
export const WORKER_FEED_INTERVAL_MS = 250;

/** The workers a caller sees: admins every one; members and viewers those serving one of their projects. */
export function workersSeenBy(principal: Principal, list: WorkerInfo[]): WorkerInfo[] {
  const visible = visibleProjects(principal);
  if (visible === null) return list;
  return list.filter(
    (worker) => worker.projects === null || worker.projects.some((project) => visible.includes(project)),
  );
}

/** One watcher's newest list: a watcher needs only the latest, so it holds one at most. */
class LatestList {
  private value: WorkerInfo[] | undefined;
  private waiting: ((value: WorkerInfo[] | undefined) => void) | undefined;
  closed = false;

  set(value: WorkerInfo[]): void {
    if (this.closed) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve(value);
    } else this.value = value;
  }

  close(): void {
    this.closed = true;
    this.waiting?.(undefined);
    this.waiting = undefined;
  }

  /** The next list, or undefined once closed. */
  next(): Promise<WorkerInfo[] | undefined> {
    const value = this.value;
    this.value = undefined;
    if (value || this.closed) return Promise.resolve(value);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
}

/**
 * The live worker list (`workers.watch`): read again when a worker connects,
 * leaves, is lost, drained or undrained, or a task changes (its running
 * count may have), at most every WORKER_FEED_INTERVAL_MS, once for every
 * watcher, and only while someone watches.
 */
export class WorkerFeed {
  private readonly watchers = new Set<LatestList>();
  private stop: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastReadAt = 0;

  constructor(
    private readonly hub: WorkerHub,
    private readonly taskFeed: TaskFeed,
    private readonly log: (line: string) => void,
  ) {}

  private schedule = (): void => {
    if (this.timer || this.watchers.size === 0) return;
    const wait = Math.max(0, this.lastReadAt + WORKER_FEED_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => void this.read(), wait);
    this.timer.unref();
  };

  private async read(): Promise<void> {
    this.lastReadAt = Date.now();
    try {
      const list = await this.hub.list();
      for (const watcher of this.watchers) watcher.set(list);
    } catch (error) {
      this.log(`worker feed: cannot list workers: ${(error as Error).message}`);
    } finally {
      this.timer = undefined;
    }
  }

  private async start(): Promise<void> {
    if (this.stop) return;
    const stopHub = this.hub.onChange(this.schedule);
    let stopTasks: (() => void) | undefined;
    this.stop = () => {
      stopHub();
      stopTasks?.();
    };
    stopTasks = await this.taskFeed.onChange(this.schedule);
    if (!this.stop) stopTasks(); // everyone left while it started
  }

  /** The worker list the caller sees now, then again whenever it changes; equal lists are not sent twice. */
  async *watch(
    principal: Principal,
    signal: AbortSignal | undefined,
    waitForDrain: () => Promise<void>,
  ): AsyncGenerator<WorkerInfo[]> {
    const watcher = new LatestList();
    this.watchers.add(watcher);
    const close = () => watcher.close();
    signal?.addEventListener('abort', close, { once: true });
    try {
      await this.start();
      let sent = '';
      let all: WorkerInfo[] | undefined = await this.hub.list();
      while (all) {
        const list = workersSeenBy(principal, all);
        const json = JSON.stringify(list);
        if (json !== sent) {
          await waitForDrain();
          yield list;
          sent = json;
        }
        all = await watcher.next();
      }
    } finally {
      signal?.removeEventListener('abort', close);
      watcher.close();
      this.watchers.delete(watcher);
      if (this.watchers.size === 0) {
        this.stop?.();
        this.stop = undefined;
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    }
  }
}
