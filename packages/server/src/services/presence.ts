import { limits, type PresenceEntry, type Principal, TERMINAL_CONTROLS } from '@nexa/core';
import { and, desc, inArray } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { tasks } from '../db/schema.js';
import { activeStatuses } from './tasks.js';
import type { WorkerHub } from './workerHub.js';
import type { WorkerNames } from './workerNames.js';

/** How long a person seen only over HTTP (one-shot commands) still shows in `nexa who`. */
const HTTP_SEEN_MS = 15 * 60_000;
/** People remembered as seen over HTTP at most (oldest forgotten first). */
const SEEN_CACHE = 10_000;

const controls = new RegExp(TERMINAL_CONTROLS.source, 'g');

const peopleRoles = new Set<Principal['role']>(['admin', 'member', 'viewer']);

/** What presence needs of a WebSocket: to know when it closes. */
export interface PresenceSocket {
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Who is on line: people by their open WebSockets (with the client they
 * named: tui, cli, mcp...) or their last HTTP call, every known worker, and
 * the agents running now. People are kept in memory only: presence is now.
 */
export class Presence {
  private readonly open = new Map<string, Map<PresenceSocket, string>>();
  private readonly seen = new Map<string, number>();
  /** Each person's projects (null: every one), so `who` shows a member only the people of its projects. */
  private readonly projectsOf = new Map<string, readonly string[] | null>();

  constructor(
    private readonly database: Database,
    private readonly hub: WorkerHub,
    private readonly names: WorkerNames,
  ) {}

  /** A person's WebSocket opened; it counts until it closes. */
  connected(principal: Principal, client: unknown, socket: PresenceSocket): void {
    if (!peopleRoles.has(principal.role)) return;
    this.projectsOf.set(principal.subject, principal.projects);
    const named = typeof client === 'string' ? client.replace(controls, '').slice(0, 32) : '';
    const sockets = this.open.get(principal.subject) ?? new Map<PresenceSocket, string>();
    this.open.set(principal.subject, sockets.set(socket, named || 'unknown'));
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0 && this.open.get(principal.subject) === sockets)
        this.open.delete(principal.subject);
      this.remember(principal.subject);
    });
  }

  /** A person called over HTTP. */
  called(principal: Principal): void {
    if (!peopleRoles.has(principal.role)) return;
    this.projectsOf.set(principal.subject, principal.projects);
    this.remember(principal.subject);
  }

  private remember(subject: string): void {
    this.seen.delete(subject);
    if (this.seen.size >= SEEN_CACHE) {
      const oldest = this.seen.keys().next().value as string;
      this.seen.delete(oldest);
      if (!this.open.has(oldest)) this.projectsOf.delete(oldest);
    }
    this.seen.set(subject, Date.now());
  }

  /** `nexa who`: people, workers, and the agents running now (in `projects`; null: every project). */
  async who(projects: readonly string[] | null): Promise<PresenceEntry[]> {
    const now = Date.now();
    // Someone in every project (an admin, a worker serving all) shares one with anybody.
    const sharesOne = (theirs: readonly string[] | null | undefined) =>
      projects === null || theirs === null || (theirs ?? []).some((project) => projects.includes(project));
    const people: PresenceEntry[] = [];
    for (const [name, sockets] of this.open) {
      if (!sharesOne(this.projectsOf.get(name))) continue;
      const clients = [...new Set(sockets.values())].sort().join(', ');
      people.push({
        kind: 'person',
        name,
        detail: clients,
        project: null,
        online: true,
        lastSeenAt: new Date(now).toISOString(),
      });
    }
    for (const [name, at] of this.seen) {
      if (this.open.has(name) || now - at > HTTP_SEEN_MS || !sharesOne(this.projectsOf.get(name))) continue;
      people.push({
        kind: 'person',
        name,
        detail: 'http',
        project: null,
        online: false,
        lastSeenAt: new Date(at).toISOString(),
      });
    }
    const serving = (await this.hub.list()).filter((worker) => sharesOne(worker.projects));
    const workers: PresenceEntry[] = serving.map((worker) => ({
      kind: 'worker',
      name: worker.name,
      detail: worker.status,
      project: null,
      online: worker.status === 'online' || worker.status === 'draining',
      lastSeenAt: worker.lastSeenAt,
    }));
    const running = await this.database.db
      .select({ id: tasks.id, agent: tasks.agent, workerId: tasks.workerId, project: tasks.project })
      .from(tasks)
      .where(
        and(
          inArray(tasks.status, activeStatuses),
          projects ? inArray(tasks.project, [...projects]) : undefined,
        ),
      )
      .orderBy(desc(tasks.createdAt))
      .limit(limits.listing.rows);
    const names = await this.names.of(running.map((task) => task.workerId));
    const agents: PresenceEntry[] = running.map((task) => ({
      kind: 'agent',
      name: task.id,
      detail: `${task.agent} on ${(task.workerId && names.get(task.workerId)) ?? 'a worker'}`,
      project: task.project,
      online: true,
      lastSeenAt: null,
    }));
    const byName = (a: PresenceEntry, b: PresenceEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    return [...people.sort(byName), ...workers, ...agents];
  }
}
