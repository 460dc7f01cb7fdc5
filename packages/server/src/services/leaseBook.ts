interface Lease {
  workerId: string;
  expiresAt: number;
}

/**
 * The leases of tasks held by workers connected right now, in memory: a
 * heartbeat renews them without a write (a thousand workers beating every
 * two seconds would otherwise be five hundred transactions a second). The
 * database keeps a lease only while no session holds the task: when a
 * session ends, and after a coordinator restart.
 */
export class LeaseBook {
  private readonly leases = new Map<string, Lease>();
  private readonly byWorker = new Map<string, Set<string>>();

  /** A worker's session holds a task until `expiresAt` unless a heartbeat renews it. */
  hold(taskId: string, workerId: string, expiresAt: number): void {
    this.release(taskId);
    this.leases.set(taskId, { workerId, expiresAt });
    const tasks = this.byWorker.get(workerId) ?? new Set<string>();
    this.byWorker.set(workerId, tasks);
    tasks.add(taskId);
  }

  /** A heartbeat: the tasks the worker says it runs, among those it holds, are renewed. */
  renew(workerId: string, taskIds: readonly string[], expiresAt: number): void {
    for (const taskId of taskIds) {
      const lease = this.leases.get(taskId);
      if (lease?.workerId === workerId) lease.expiresAt = expiresAt;
    }
  }

  /** The task left its worker (it ended, or was queued again). */
  release(taskId: string): void {
    const lease = this.leases.get(taskId);
    if (!lease) return;
    this.leases.delete(taskId);
    const tasks = this.byWorker.get(lease.workerId);
    tasks?.delete(taskId);
    if (tasks?.size === 0) this.byWorker.delete(lease.workerId);
  }

  /** The worker's session ended: its leases are no longer kept here. */
  releaseWorker(workerId: string): void {
    for (const taskId of this.byWorker.get(workerId) ?? []) this.leases.delete(taskId);
    this.byWorker.delete(workerId);
  }

  /** How many tasks a connected worker holds: its load, for the scheduler. */
  heldBy(workerId: string): number {
    return this.byWorker.get(workerId)?.size ?? 0;
  }

  /** Leases that ran out before `now`: their workers stopped renewing them. */
  expired(now: number): Array<{ taskId: string; workerId: string }> {
    const out: Array<{ taskId: string; workerId: string }> = [];
    for (const [taskId, lease] of this.leases) if (lease.expiresAt < now) out.push({ taskId, ...lease });
    return out;
  }
}
