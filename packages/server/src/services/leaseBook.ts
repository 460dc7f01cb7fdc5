interface Lease {
  workerId: string;
  expiresAt: number;
  /** The attempt the worker holds: its task token is good while the lease is here and not ending. */
  attempt: number;
  /** A write that ends the attempt is under way: until it is done, only the database knows. */
  ending: boolean;
}

/**
 * The leases of tasks held by workers connected right now, in memory: a
 * heartbeat renews them without a write (a thousand workers beating every
 * two seconds would otherwise be five hundred transactions a second). The
 * database keeps a lease only while no session holds the task: when a
 * session ends, and after a coordinator restart.
 *
 * It also answers "is this attempt live" for task tokens without a read: a
 * lease is taken after the write that assigns the attempt and marked ending
 * before the write that ends it, so it never says yes to an ended attempt.
 * A task not here (its worker is away, the coordinator restarted) is asked
 * of the database.
 */
export class LeaseBook {
  private readonly leases = new Map<string, Lease>();
  private readonly byWorker = new Map<string, Set<string>>();

  /** A worker's session holds a task until `expiresAt` unless a heartbeat renews it. */
  hold(taskId: string, workerId: string, attempt: number, expiresAt: number): void {
    this.release(taskId);
    this.leases.set(taskId, { workerId, expiresAt, attempt, ending: false });
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

  /** Whether a connected worker holds this attempt of the task and no write is ending it. */
  holdsAttempt(taskId: string, attempt: number): boolean {
    const lease = this.leases.get(taskId);
    return lease !== undefined && lease.attempt === attempt && !lease.ending;
  }

  /**
   * A write that ends the task's attempt is about to commit: from now on its
   * token is checked against the database (if the write fails, that still
   * answers right; the lease itself stays until release).
   */
  ending(taskId: string): void {
    const lease = this.leases.get(taskId);
    if (lease) lease.ending = true;
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
