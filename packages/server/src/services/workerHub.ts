import {
  AsyncQueue,
  NexaError,
  newId,
  type WorkerInfo,
  type WorkerMessage,
  type WorkerRegistration,
} from '@nexa/core';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { workers } from '../db/schema.js';
import type { TaskService } from './tasks.js';

/** One connected worker process: what it registered and the channel of messages to it. */
export interface WorkerSession {
  workerId: string;
  registration: WorkerRegistration;
  messages: AsyncQueue<WorkerMessage>;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Knows which workers are connected right now and delivers messages to them. */
export class WorkerHub {
  private readonly sessions = new Map<string, WorkerSession>();

  constructor(
    private readonly database: Database,
    private readonly tasks: TaskService,
    private readonly heartbeatMs: number,
  ) {}

  /**
   * Registers a connecting worker. A name already connected from another
   * process is refused; the same process reconnecting takes over its session.
   */
  open(registration: WorkerRegistration): Promise<WorkerSession> {
    return this.database.writes.run(async () => {
      const { db } = this.database;
      const now = Date.now();
      const [existing] = await db.select().from(workers).where(eq(workers.name, registration.name));
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
        connectedAt: now,
        lastSeenAt: now,
      };
      const workerId = existing?.id ?? newId('w');
      if (existing) await db.update(workers).set(fields).where(eq(workers.id, workerId));
      else
        await db.insert(workers).values({ id: workerId, name: registration.name, createdAt: now, ...fields });
      const session: WorkerSession = { workerId, registration, messages: new AsyncQueue() };
      session.messages.push({ type: 'registered', workerId, heartbeatMs: this.heartbeatMs });
      this.sessions.set(workerId, session);
      return session;
    });
  }

  /** Called when a session's connection ends; a newer session of the same worker is left alone. */
  async close(session: WorkerSession): Promise<void> {
    session.messages.end();
    if (this.sessions.get(session.workerId) !== session) return;
    this.sessions.delete(session.workerId);
    await this.database.writes.run(() =>
      this.database.db
        .update(workers)
        .set({ status: 'offline', lastSeenAt: Date.now() })
        .where(eq(workers.id, session.workerId)),
    );
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

  async heartbeat(workerId: string): Promise<void> {
    if (!this.sessions.has(workerId)) {
      throw new NexaError('conflict', `worker ${workerId} is not connected`, { hint: 'reconnect' });
    }
    await this.database.writes.run(() =>
      this.database.db.update(workers).set({ lastSeenAt: Date.now() }).where(eq(workers.id, workerId)),
    );
  }

  async list(): Promise<WorkerInfo[]> {
    const rows = await this.database.db.select().from(workers).orderBy(workers.name);
    const running = await this.tasks.activeCountByWorker();
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      status: row.status,
      labels: row.labels,
      capacity: row.capacity,
      running: running.get(row.id) ?? 0,
      version: row.version,
      sandboxes: row.sandboxes,
      agents: row.agents,
      connectedAt: iso(row.connectedAt),
      lastSeenAt: iso(row.lastSeenAt),
    }));
  }
}
