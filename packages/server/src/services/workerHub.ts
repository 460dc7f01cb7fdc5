import {
  AsyncQueue,
  NexaError,
  newId,
  type Principal,
  type WorkerInfo,
  type WorkerMessage,
  type WorkerRegistration,
} from '@nexa/core';
import { eq, or } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { workers } from '../db/schema.js';
import type { Writer } from '../db/writeQueue.js';
import type { LeaseBook } from './leaseBook.js';
import type { ProjectService } from './projects.js';
import { iso } from './taskRows.js';
import type { TaskService } from './tasks.js';
import type { WorkerCredentials } from './workerCredentials.js';

/** One connected worker process: what it registered and the channel of messages to it. */
export interface WorkerSession {
  workerId: string;
  registration: WorkerRegistration;
  messages: AsyncQueue<WorkerMessage>;
  openedAt: number;
  lastHeartbeatAt: number;
  /** Drained by an admin (kept across reconnects) or shutting down (this session only): no new tasks. */
  draining: boolean;
  /** Shutting down (`workers.leave`): an undrain does not bring it back. */
  leaving?: boolean;
  /** The projects it takes tasks of: its registration's, else its token's; null: every project. */
  projects: string[] | null;
}

/** Knows which workers are connected right now and delivers messages to them. */
export class WorkerHub {
  private readonly sessions = new Map<string, WorkerSession>();
  private readonly changeListeners = new Set<() => void>();

  constructor(
    private readonly database: Database,
    private readonly tasks: TaskService,
    private readonly leases: LeaseBook,
    private readonly timing: { heartbeatMs: number; leaseMs: number },
    private readonly credentials: WorkerCredentials,
    private readonly projects: ProjectService,
  ) {}

  /**
   * Registers a connecting worker as its token allows (see WorkerCredentials.admit).
   * A name already connected from another process is refused; the same
   * process reconnecting takes over its session.
   */
  async open(registration: WorkerRegistration, principal: Principal): Promise<WorkerSession> {
    for (const project of registration.projects) await this.projects.mustExist(project);
    return this.database.writes.run(async (writer) => {
      const { db } = writer;
      const now = Date.now();
      const [existing] = await db.select().from(workers).where(eq(workers.name, registration.name));
      const admitted = await this.credentials.admit(writer, principal, registration, existing);
      const current = existing ? this.sessions.get(existing.id) : undefined;
      if (current && current.registration.instanceId !== registration.instanceId) {
        throw new NexaError('conflict', `a worker named "${registration.name}" is already connected`, {
          hint: 'give this one another name with --name',
        });
      }
      current?.messages.end();
      const fields = {
        labels: registration.labels,
        capacity: registration.capacity,
        version: registration.version,
        sandboxes: registration.sandboxes,
        agents: registration.agents,
        status: 'online' as const,
        projects: admitted.projects,
        connectedAt: now,
        lastSeenAt: now,
      };
      const workerId = existing?.id ?? admitted.workerId ?? newId('w');
      if (existing) await db.update(workers).set(fields).where(eq(workers.id, workerId));
      else
        await db.insert(workers).values({ id: workerId, name: registration.name, createdAt: now, ...fields });
      const session: WorkerSession = {
        workerId,
        registration,
        messages: new AsyncQueue(),
        openedAt: now,
        lastHeartbeatAt: now,
        draining: existing?.draining ?? false,
        projects: admitted.projects,
      };
      // What it held before (this coordinator's start, or its last session) is its again, leased in memory.
      // Only tasks of projects it serves now: what it held of others is left to its lease, and runs again elsewhere.
      const served = admitted.projects;
      for (const task of await this.tasks.activeOf(workerId)) {
        if (served !== null && !served.includes(task.project)) continue;
        this.leases.hold(task.id, workerId, task.attempt, now + this.timing.leaseMs);
      }
      await this.tasks.storeLeases(writer, workerId, null);
      session.messages.push({ type: 'registered', workerId, heartbeatMs: this.timing.heartbeatMs });
      this.sessions.set(workerId, session);
      this.changed();
      return session;
    });
  }

  /** Called when a session's connection ends; a newer session of the same worker is left alone. */
  async close(session: WorkerSession): Promise<void> {
    session.messages.end();
    if (this.sessions.get(session.workerId) !== session) return;
    this.sessions.delete(session.workerId);
    await this.database.writes.run(async (writer) => {
      // Its tasks keep the lease its last heartbeat gave them, now stored: it may come back in time.
      this.leases.releaseWorker(session.workerId);
      await this.tasks.storeLeases(writer, session.workerId, session.lastHeartbeatAt + this.timing.leaseMs);
      await this.setStatus(writer, session.workerId, 'offline', session.lastHeartbeatAt);
    });
    this.changed();
  }

  /** Declares a worker lost: its session ends (it must register again). */
  async markLost(writer: Writer, workerId: string): Promise<void> {
    const session = this.sessions.get(workerId);
    this.sessions.delete(workerId);
    session?.messages.end();
    this.leases.releaseWorker(workerId);
    await this.setStatus(writer, workerId, 'lost', session?.lastHeartbeatAt ?? Date.now());
    this.changed();
  }

  private setStatus(writer: Writer, workerId: string, status: 'online' | 'offline' | 'lost', seenAt: number) {
    return writer.db.update(workers).set({ status, lastSeenAt: seenAt }).where(eq(workers.id, workerId));
  }

  /** "name (id)" for messages; falls back to the id for a worker never seen. */
  async describe(workerId: string): Promise<string> {
    const name =
      this.sessions.get(workerId)?.registration.name ??
      (await this.database.db.select({ name: workers.name }).from(workers).where(eq(workers.id, workerId)))[0]
        ?.name;
    return name ? `${name} (${workerId})` : workerId;
  }

  session(workerId: string): WorkerSession | undefined {
    return this.sessions.get(workerId);
  }

  connected(): WorkerSession[] {
    return [...this.sessions.values()];
  }

  send(workerId: string, message: WorkerMessage): boolean {
    const session = this.sessions.get(workerId);
    if (!session) return false;
    session.messages.push(message);
    return true;
  }

  /**
   * A worker's heartbeat: it is alive, and so are the leases of the tasks it
   * says it runs. Only memory changes: a beat is not worth a write.
   */
  heartbeat(workerId: string, runningTaskIds: string[]): void {
    const session = this.sessions.get(workerId);
    if (!session) {
      throw new NexaError('unavailable', `worker ${workerId} is not connected`, { hint: 'register again' });
    }
    const now = Date.now();
    session.lastHeartbeatAt = now;
    this.leases.renew(workerId, runningTaskIds, now + this.timing.leaseMs);
  }

  /** Stops new assignments to a worker; what it runs finishes. `persist` keeps it drained across reconnects. */
  async drain(idOrName: string, persist: boolean): Promise<string> {
    const row = await this.mustRow(idOrName);
    if (persist) {
      await this.database.writes.run((writer) =>
        writer.db.update(workers).set({ draining: true }).where(eq(workers.id, row.id)),
      );
    }
    const session = this.sessions.get(row.id);
    if (session) {
      session.draining = true;
      session.leaving ||= !persist;
    }
    this.changed();
    return row.id;
  }

  /** `nexa workers undrain`: the worker takes new tasks again (unless it is shutting down). */
  async undrain(idOrName: string): Promise<string> {
    const row = await this.mustRow(idOrName);
    await this.database.writes.run((writer) =>
      writer.db.update(workers).set({ draining: false }).where(eq(workers.id, row.id)),
    );
    const session = this.sessions.get(row.id);
    if (session && !session.leaving) session.draining = false;
    this.changed();
    return row.id;
  }

  /**
   * `nexa workers revoke`: its session ends now and it may not register
   * again (its credential is revoked by the caller); like a lost worker,
   * what it held is handed back by the caller in the same write.
   */
  async revoke(writer: Writer, workerId: string): Promise<void> {
    const session = this.sessions.get(workerId);
    this.sessions.delete(workerId);
    session?.messages.end();
    this.leases.releaseWorker(workerId);
    const now = Date.now();
    await writer.db
      .update(workers)
      .set({ status: 'offline', revokedAt: now, lastSeenAt: session?.lastHeartbeatAt ?? now })
      .where(eq(workers.id, workerId));
    writer.afterward(() => this.changed());
  }

  async mustRow(idOrName: string) {
    const [row] = await this.database.db
      .select()
      .from(workers)
      .where(or(eq(workers.id, idOrName), eq(workers.name, idOrName)));
    if (!row) {
      throw new NexaError('not_found', `no worker ${idOrName}`, {
        hint: 'list workers with `nexa workers list`',
      });
    }
    return row;
  }

  /** Calls `listener` whenever a worker connects, leaves, is lost, drained or undrained. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }

  /** After a coordinator start nobody is connected yet, whatever the database last said. */
  markAllOffline(writer: Writer) {
    return writer.db.update(workers).set({ status: 'offline' }).where(eq(workers.status, 'online'));
  }

  async list(): Promise<WorkerInfo[]> {
    const rows = await this.database.db.select().from(workers).orderBy(workers.name);
    const running = await this.tasks.activeCountByWorker();
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      status:
        row.status === 'online' && (row.draining || this.sessions.get(row.id)?.draining)
          ? 'draining'
          : row.status,
      labels: row.labels,
      capacity: row.capacity,
      running: running.get(row.id) ?? 0,
      version: row.version,
      sandboxes: row.sandboxes,
      agents: row.agents,
      projects: row.projects,
      // Not stored: it changes with the worker's environment, and only a live worker's is true.
      unavailableAgents: this.sessions.get(row.id)?.registration.unavailableAgents ?? [],
      connectedAt: iso(row.connectedAt),
      // A live worker's last heartbeat is in memory only.
      lastSeenAt: iso(this.sessions.get(row.id)?.lastHeartbeatAt ?? row.lastSeenAt),
    }));
  }
}
