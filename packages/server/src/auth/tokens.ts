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
  /** The projects it may see and act in; null: every project. */
  projects: string[] | null;
  /** A join token: it may only make workers (`workers.join`). */
  join: boolean;
  /** A join token: how many workers it may make. */
  uses: number | null;
}

/**
 * What a token is bound to beyond its role, kept in its row: its projects,
 * and for a join token or a worker's own credential, what workers it makes
 * (or is) may claim.
 */
export interface TokenGrant {
  /** Left out: member and viewer tokens get `default` (as tokens made before projects), others every project. */
  projects?: string[] | null;
  /** A join token that may make this many workers. */
  joinUses?: number;
  /** The labels a worker made by (or holding) this token may claim; null: any. */
  workerLabels?: Record<string, string> | null;
  /** A worker's own credential: the worker it is. */
  worker?: { id: string; name: string };
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
  /** The projects it may see and act in; null: every project. */
  projects: string[] | null;
  /** A join token: how many workers it may make, and has made (null: not a join token). */
  joinUses: number | null;
  joinUsed: number;
  /** A worker's own credential: the name it registers as. */
  workerName: string | null;
  /** The labels workers it makes (or it, as a credential) may claim; null: any. */
  workerLabels: Record<string, string> | null;
}

/** What a live token's row adds to its claims, known in memory after its first use. */
interface Grant {
  projects: string[] | null;
  join: boolean;
  worker?: { id: string; name: string; labels: Record<string, string> | null };
}

/** What a token's row grants (admins and plain workers: every project). */
export function grantOf(row: typeof tokens.$inferSelect): Grant {
  return {
    projects: row.projects ?? null,
    join: row.joinUses !== null,
    ...(row.workerId && row.workerName
      ? { worker: { id: row.workerId, name: row.workerName, labels: row.workerLabels ?? null } }
      : {}),
  };
}

/**
 * A genuine task token whose attempt has ended: refused like any bad token,
 * but not a failed login (an agent's relay reconnecting as its task ends is
 * not guessing), which the failed-login back-off tells by this type.
 */
export class AttemptEnded extends NexaError {
  constructor(attempt: number) {
    super('unauthorized', `the task's attempt ${attempt} has ended`, {
      hint: 'a task token works only while the attempt it was made for runs',
    });
  }
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
    projects: row.projects ?? null,
    joinUses: row.joinUses,
    joinUsed: row.joinUsed,
    workerName: row.workerName,
    workerLabels: row.workerLabels ?? null,
  };
}

/** Member and viewer tokens made without projects (in-process, by tests) are in `default`, as old ones were. */
function projectsOf(role: Role, grant: TokenGrant): string[] | null {
  if (grant.projects !== undefined) return grant.projects;
  return role === 'member' || role === 'viewer' ? ['default'] : null;
}

/**
 * Issues and verifies bearer tokens: JWTs signed with the coordinator's key,
 * each with a `jti` recorded in the database so it can be revoked.
 */
export class TokenService {
  /**
   * jti → what its row grants, or false once revoked. Filled on first sight of
   * a jti, so a verified request costs no query; `revoke` updates it, so a
   * revocation holds at once. (One coordinator process owns the tokens table:
   * nothing else revokes.)
   */
  private readonly known = new Map<string, Grant | false>();
  /** Open WebSockets by token, ended when their token is revoked or expires. */
  readonly connections = new LiveConnections();
  /** Attempts known live without a read; anything else is asked of the database. */
  private liveAttempts: LiveAttempts | undefined;

  constructor(
    private readonly database: Database,
    private readonly secret: Uint8Array,
  ) {}

  /** A new token; `createdBy` is the subject of whoever asked for it (none: the coordinator itself). */
  async issue(
    role: Role,
    subject: string,
    ttlSeconds?: number,
    createdBy?: string,
    grant: TokenGrant = {},
  ): Promise<IssuedToken> {
    const row = this.rowFor(role, subject, ttlSeconds, createdBy, grant);
    await this.database.writes.run((writer) => writer.db.insert(tokens).values(row));
    return this.sign(row);
  }

  /**
   * A token's row, not yet stored: for a caller that stores it inside its own
   * write (workers.join makes the worker and its credential in one), then signs it.
   */
  rowFor(
    role: Role,
    subject: string,
    ttlSeconds: number | undefined,
    createdBy: string | undefined,
    grant: TokenGrant,
  ): typeof tokens.$inferInsert & { createdAt: number; expiresAt: number | null } {
    const now = Date.now();
    return {
      jti: randomUUID(),
      role,
      subject,
      createdBy: createdBy ?? null,
      createdAt: now,
      expiresAt: ttlSeconds ? now + ttlSeconds * 1000 : null,
      projects: projectsOf(role, grant),
      joinUses: grant.joinUses ?? null,
      workerLabels: grant.workerLabels ?? null,
      workerId: grant.worker?.id ?? null,
      workerName: grant.worker?.name ?? null,
    };
  }

  /** Signs a stored row's token (the row must be in the database, or the token is refused). */
  async sign(row: ReturnType<TokenService['rowFor']>): Promise<IssuedToken> {
    const { jti, role, subject, createdAt: now, expiresAt } = row;
    let jwt = new SignJWT({ role })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(issuer)
      .setSubject(subject)
      .setJti(jti)
      .setIssuedAt(Math.floor(now / 1000));
    if (expiresAt) jwt = jwt.setExpirationTime(Math.floor(expiresAt / 1000));
    const token = await jwt.sign(this.secret);
    const grant = grantOf({ ...row, revokedAt: null, joinUsed: 0 } as typeof tokens.$inferSelect);
    if (!this.known.has(jti)) this.known.set(jti, grant);
    return {
      token,
      jti,
      role,
      expiresAt: expiresAt ? new Date(expiresAt).toISOString() : null,
      projects: grant.projects,
      join: grant.join,
      uses: row.joinUses ?? null,
    };
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
      throw new AttemptEnded(claimed.attempt);
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
    const grant = await this.grant(jti);
    if (!grant) throw new NexaError('unauthorized', 'the token has been revoked');
    return {
      principal: {
        jti,
        subject: sub,
        role: role as Role,
        projects: grant.projects,
        ...(grant.worker ? { worker: grant.worker } : {}),
        ...(grant.join ? { join: true } : {}),
      },
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null,
    };
  }

  /** A live token's grant, or false when it is revoked (or was never stored). */
  private async grant(jti: string): Promise<Grant | false> {
    const cached = this.known.get(jti);
    if (cached !== undefined) return cached;
    const [row] = await this.database.db.select().from(tokens).where(eq(tokens.jti, jti));
    // A revocation made while this read was under way wins: a cached false never turns true.
    if (this.known.get(jti) === false) return false;
    const grant = row !== undefined && row.revokedAt === null ? grantOf(row) : false;
    this.known.set(jti, grant);
    return grant;
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
