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
    const silent = this.hub
      .connected()
      .filter((session) => now - session.lastHeartbeatAt > this.options.leaseMs)
      .map((session) => session.workerId);
    const changed = await this.database.writes.run(async () => {
      const expired = await this.tasks.expired(now);
      const lost = new Set([...silent, ...expired.map((task) => task.workerId as string)]);
      for (const workerId of lost) {
        await this.hub.markLost(workerId);
        const name = workerId;
        this.options.log(`worker ${name} lost: no heartbeat for ${this.options.leaseMs} ms`);
      }
      for (const task of await Promise.all([...lost].map((id) => this.tasks.activeOf(id))).then((a) =>
        a.flat(),
      )) {
        await this.lifecycle.attemptLost(task, `lost with worker ${task.workerId}`);
      }
      return lost.size > 0;
    });
    if (changed) this.options.onRequeued();
  }
}
