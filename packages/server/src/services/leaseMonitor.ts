import { isActiveStatus } from '@nexa/core';
import type { Database } from '../db/open.js';
import type { Writer } from '../db/writeQueue.js';
import type { LeaseBook } from './leaseBook.js';
import type { TaskLifecycle } from './lifecycle.js';
import type { TaskService } from './tasks.js';
import type { WorkerHub } from './workerHub.js';

/**
 * Watches leases. A worker whose leases lapse, or whose heartbeats stop for a
 * lease's length, is marked lost: its session ends and each of its tasks runs
 * again elsewhere while attempts remain (see TaskLifecycle.attemptLost).
 */
export class LeaseMonitor {
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | null = null;

  constructor(
    private readonly database: Database,
    private readonly tasks: TaskService,
    private readonly hub: WorkerHub,
    private readonly leases: LeaseBook,
    private readonly lifecycle: TaskLifecycle,
    private readonly options: { leaseMs: number; onRequeued: () => void; log: (line: string) => void },
  ) {}

  start(): void {
    const every = Math.max(100, Math.min(1000, Math.floor(this.options.leaseMs / 4)));
    this.timer = setInterval(() => void this.check(), every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
  }

  /** One sweep; overlapping calls share the sweep in progress. */
  check(now = Date.now()): Promise<void> {
    this.checking ??= this.sweep(now)
      .catch((error: unknown) => this.options.log(`lease monitor: ${(error as Error).message}`))
      .finally(() => {
        this.checking = null;
      });
    return this.checking;
  }

  private async sweep(now: number): Promise<void> {
    const { leaseMs } = this.options;
    // Everything but the stored leases is in memory; the write queue is taken only when something lapsed.
    const silent = this.hub
      .connected()
      .filter((session) => now - session.lastHeartbeatAt > leaseMs)
      .map((session) => session.workerId);
    const forgotten = this.leases.expired(now).filter(({ workerId }) => !silent.includes(workerId));
    const orphans = (await this.tasks.expired(now)).filter(
      (task) => !this.hub.session(task.workerId as string),
    );
    if (silent.length === 0 && forgotten.length === 0 && orphans.length === 0) return;
    await this.database.writes.run((writer) => this.release(writer, now, silent, forgotten));
    this.options.onRequeued();
  }

  private async release(
    writer: Writer,
    now: number,
    silent: string[],
    forgotten: Array<{ taskId: string; workerId: string }>,
  ): Promise<void> {
    const { leaseMs, log } = this.options;
    // Read again inside the queue: a worker may have come back, a task may have ended.
    const orphans = (await this.tasks.expired(now)).filter(
      (task) => !this.hub.session(task.workerId as string),
    );
    // A worker is lost when its heartbeats stop, or when it is gone and its stored leases lapse.
    const lost = new Set([
      ...silent.filter((id) => now - (this.hub.session(id)?.lastHeartbeatAt ?? 0) > leaseMs),
      ...orphans.map((task) => task.workerId as string),
    ]);
    for (const workerId of lost) {
      const worker = await this.hub.describe(workerId);
      await this.hub.markLost(writer, workerId);
      log(`worker ${worker} is lost: no heartbeat for ${leaseMs} ms; its tasks run again elsewhere`);
      for (const task of await this.tasks.activeOf(workerId)) {
        await this.lifecycle.attemptLost(writer, task, `lost with worker ${worker}`);
      }
    }
    // A live worker that stopped renewing a lease no longer runs that task.
    for (const { taskId, workerId } of forgotten) {
      if (lost.has(workerId)) continue;
      const task = await this.tasks.row(taskId);
      if (!task || task.workerId !== workerId || !isActiveStatus(task.status)) {
        this.leases.release(taskId);
        continue;
      }
      const worker = await this.hub.describe(workerId);
      await this.lifecycle.attemptLost(writer, task, `no longer run by worker ${worker}`);
    }
  }
}
