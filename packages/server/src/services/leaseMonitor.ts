import type { Database } from '../db/open.js';
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
    const { leaseMs, log } = this.options;
    const silent = this.hub
      .connected()
      .filter((session) => now - session.lastHeartbeatAt > leaseMs)
      .map((session) => session.workerId);
    const changed = await this.database.writes.run(async () => {
      const expired = await this.tasks.expired(now);
      // A worker is lost when its heartbeats stop, or when it is gone and its leases lapse.
      const lost = new Set([
        ...silent,
        ...expired.map((task) => task.workerId as string).filter((id) => !this.hub.session(id)),
      ]);
      for (const workerId of lost) {
        const worker = await this.hub.describe(workerId);
        await this.hub.markLost(workerId);
        log(`worker ${worker} is lost: no heartbeat for ${leaseMs} ms; its tasks run again elsewhere`);
        for (const task of await this.tasks.activeOf(workerId)) {
          await this.lifecycle.attemptLost(task, `lost with worker ${worker}`);
        }
      }
      // A live worker that stopped renewing a lease no longer runs that task.
      const forgotten = expired.filter((task) => !lost.has(task.workerId as string));
      for (const task of forgotten) {
        const worker = await this.hub.describe(task.workerId as string);
        await this.lifecycle.attemptLost(task, `no longer run by worker ${worker}`);
      }
      return lost.size > 0 || forgotten.length > 0;
    });
    if (changed) this.options.onRequeued();
  }
}
