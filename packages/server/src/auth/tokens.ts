import { randomUUID } from 'node:crypto';
import { NexaError, type Principal, type Role } from '@nexa/core';
import { and, desc, eq, inArray } from 'drizzle-orm';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Database } from '../db/open.js';
import { tasks, tokens } from '../db/schema.js';
import { type ClosableSocket, LiveConnections } from './liveConnections.js';

const issuer = 'nexa';

export interface IssuedToken {
  token: string;
  jti: string;
  role: Role;
  expiresAt: string | null;
}

/** A token as `tokens.list` shows it: everything but the token itself. */
export interface TokenRecord {
  id: string;
  role: Role;
  subject: string;
  /** Who made it: a subject, or null for the coordinator itself (the local admin and worker). */
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** What the coordinator knows in memory of live attempts (the lease book): a yes is never stale. */
export interface LiveAttempts {
  holdsAttempt(taskId: string, attempt: number): boolean;
}

/** A task token's attempt is live while its task holds that attempt in one of these statuses. */
const liveAttemptStatuses = ['assigned', 'running', 'waiting_approval'] as const;

/** The jti of a task's tokens: no row is stored, and open connections are ended by it when the attempt ends. */
export const taskTokenJti = (taskId: string) => `task:${taskId}`;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function recordFromRow(row: typeof tokens.$inferSelect): TokenRecord {
  return {
    id: row.jti,
    role: row.role,
    subject: row.subject,
    createdBy: row.createdBy,
    createdAt: new Date(row.createdAt).toISOString(),
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
  };
}

/**
 * Issues and verifies bearer tokens: JWTs signed with the coordinator's key,
 * each with a `jti` recorded in the database so it can be revoked.
 */
export class TokenService {
  /**
   * jti → not revoked? Filled on first sight of a jti, so a verified request
   * costs no query; `revoke` updates it, so a revocation holds at once.
   * (One coordinator process owns the tokens table: nothing else revokes.)
   */
  private readonly known = new Map<string, boolean>();
  /** Open WebSockets by token, ended when their token is revoked or expires. */
  readonly connections = new LiveConnections();
  /** Attempts known live without a read; anything else is asked of the database. */
  private liveAttempts: LiveAttempts | undefined;

  constructor(
    private readonly database: Database,
    private readonly secret: Uint8Array,
  ) {}

  /** A new token; `createdBy` is the subject of whoever asked for it (none: the coordinator itself). */
  async issue(role: Role, subject: string, ttlSeconds?: number, createdBy?: string): Promise<IssuedToken> {
    const jti = randomUUID();
    const now = Date.now();
    const expiresAt = ttlSeconds ? now + ttlSeconds * 1000 : null;
    await this.database.writes.run((writer) =>
      writer.db
        .insert(tokens)
        .values({ jti, role, subject, createdBy: createdBy ?? null, createdAt: now, expiresAt }),
    );
    let jwt = new SignJWT({ role })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(issuer)
      .setSubject(subject)
      .setJti(jti)
      .setIssuedAt(Math.floor(now / 1000));
    if (expiresAt) jwt = jwt.setExpirationTime(Math.floor(expiresAt / 1000));
    const token = await jwt.sign(this.secret);
    this.known.set(jti, true);
    return { token, jti, role, expiresAt: expiresAt ? new Date(expiresAt).toISOString() : null };
  }

  /**
   * The token of one attempt of a task (role `task`), handed to its agent's
   * `nexa mcp` in the assignment. No row is stored: it is good exactly while
   * that attempt runs (see checkTaskAttempt), and it is minted again for
   * every assignment.
   */
  mintTask(task: { id: string; attempt: number; project: string }): Promise<string> {
    return new SignJWT({ role: 'task', task: { id: task.id, attempt: task.attempt, project: task.project } })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(issuer)
      .setSubject(`task:${task.id}`)
      .setJti(taskTokenJti(task.id))
      .setIssuedAt()
      .sign(this.secret);
  }

  /** Where attempts held by connected workers are known (set once, when the services are built). */
  trustAttemptsOf(liveAttempts: LiveAttempts): void {
    this.liveAttempts = liveAttempts;
  }

  /**
   * Refuses a task token whose attempt has ended (finished, or queued again):
   * checked on every call, not only when a connection opens. An attempt a
   * connected worker holds is answered from memory; any other is read.
   */
  async checkTaskAttempt(principal: Principal): Promise<void> {
    const claimed = principal.task;
    if (!claimed) return;
    if (this.liveAttempts?.holdsAttempt(claimed.id, claimed.attempt)) return;
    const [row] = await this.database.db
      .select({ attempt: tasks.attempt })
      .from(tasks)
      .where(
        and(
          eq(tasks.id, claimed.id),
          eq(tasks.attempt, claimed.attempt),
          inArray(tasks.status, [...liveAttemptStatuses]),
        ),
      );
    if (!row) {
      throw new NexaError('unauthorized', `the task's attempt ${claimed.attempt} has ended`, {
        hint: 'a task token works only while the attempt it was made for runs',
      });
    }
  }

  /** Ends the open connections of a task's token: its attempt has ended. */
  endTaskConnections(taskId: string): void {
    this.connections.endToken(taskTokenJti(taskId), 'task attempt ended');
  }

  /** Returns the principal for a token, or throws `unauthorized` saying why it was refused. */
  async verify(token: string): Promise<Principal> {
    return (await this.inspect(token)).principal;
  }

  /**
   * Verifies a WebSocket's token and watches the socket: it is closed when
   * the token is revoked or expires, as a new request would be refused then.
   */
  async verifyConnection(token: string, socket: ClosableSocket): Promise<Principal> {
    const { principal, expiresAt } = await this.inspect(token);
    this.connections.add(principal.jti, socket, expiresAt);
    // Revoked while this connection was being verified: its close found no socket yet.
    if (this.known.get(principal.jti) === false) this.connections.endToken(principal.jti, 'token revoked');
    return principal;
  }

  /** Every token ever issued, newest first (never the token itself: it is not stored). */
  async list(): Promise<TokenRecord[]> {
    const rows = await this.database.db.select().from(tokens).orderBy(desc(tokens.createdAt));
    return rows.map(recordFromRow);
  }

  /**
   * Revokes a token (again is fine: the first time stays recorded): requests
   * with it are refused from now on and its open connections end.
   */
  async revoke(jti: string): Promise<TokenRecord> {
    const row = await this.database.writes.run(async (writer) => {
      const [found] = await writer.db.select().from(tokens).where(eq(tokens.jti, jti));
      if (!found || found.revokedAt !== null) return found;
      const [updated] = await writer.db
        .update(tokens)
        .set({ revokedAt: Date.now() })
        .where(eq(tokens.jti, jti))
        .returning();
      return updated;
    });
    if (!row) throw new NexaError('not_found', `no token ${jti}`, { hint: 'see nexa token list' });
    this.known.set(jti, false);
    this.connections.endToken(jti, 'token revoked');
    return recordFromRow(row);
  }

  private async inspect(token: string): Promise<{ principal: Principal; expiresAt: number | null }> {
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(token, this.secret, { issuer, algorithms: ['HS256'] }));
    } catch (error) {
      const why = error instanceof joseErrors.JWTExpired ? 'has expired' : 'was not signed by this server';
      throw new NexaError('unauthorized', `the token ${why}`);
    }
    const { jti, sub, role } = payload;
    if (typeof jti !== 'string' || typeof sub !== 'string' || typeof role !== 'string') {
      throw new NexaError('unauthorized', 'the token is missing its claims');
    }
    if (role === 'task') {
      const task = taskClaim(payload.task);
      const principal = { jti, subject: sub, role: 'task' as const, projects: [task.project], task };
      await this.checkTaskAttempt(principal);
      return { principal, expiresAt: null };
    }
    if (!(await this.isLive(jti))) throw new NexaError('unauthorized', 'the token has been revoked');
    return {
      principal: { jti, subject: sub, role: role as Role, projects: null },
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null,
    };
  }

  private async isLive(jti: string): Promise<boolean> {
    const cached = this.known.get(jti);
    if (cached !== undefined) return cached;
    const [row] = await this.database.db.select().from(tokens).where(eq(tokens.jti, jti));
    // A revocation made while this read was under way wins: a cached false never turns true.
    if (this.known.get(jti) === false) return false;
    const live = row !== undefined && row.revokedAt === null;
    this.known.set(jti, live);
    return live;
  }
}

function taskClaim(claim: unknown): { id: string; attempt: number; project: string } {
  const task = claim as { id?: unknown; attempt?: unknown; project?: unknown } | null;
  if (
    typeof task?.id !== 'string' ||
    typeof task.attempt !== 'number' ||
    !Number.isInteger(task.attempt) ||
    typeof task.project !== 'string'
  ) {
    throw new NexaError('unauthorized', 'the task token is missing its task');
  }
  return { id: task.id, attempt: task.attempt, project: task.project };
}
