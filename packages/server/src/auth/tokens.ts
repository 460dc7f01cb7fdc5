import { randomUUID } from 'node:crypto';
import { NexaError, type Principal, type Role } from '@nexa/core';
import { eq } from 'drizzle-orm';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Database } from '../db/open.js';
import { tokens } from '../db/schema.js';

const issuer = 'nexa';

export interface IssuedToken {
  token: string;
  jti: string;
  role: Role;
  expiresAt: string | null;
}

/**
 * Issues and verifies bearer tokens: JWTs signed with the coordinator's key,
 * each with a `jti` recorded in the database so it can be revoked.
 */
export class TokenService {
  /** jti → still valid? Filled on first sight of a jti, so a verified request costs no query. */
  private readonly known = new Map<string, boolean>();

  constructor(
    private readonly database: Database,
    private readonly secret: Uint8Array,
  ) {}

  async issue(role: Role, subject: string, ttlSeconds?: number): Promise<IssuedToken> {
    const jti = randomUUID();
    const now = Date.now();
    const expiresAt = ttlSeconds ? now + ttlSeconds * 1000 : null;
    await this.database.writes.run(() =>
      this.database.db.insert(tokens).values({ jti, role, subject, createdAt: now, expiresAt }),
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

  /** Returns the principal for a token, or throws `unauthorized` saying why it was refused. */
  async verify(token: string): Promise<Principal> {
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
    if (!(await this.isLive(jti))) throw new NexaError('unauthorized', 'the token has been revoked');
    return { jti, subject: sub, role: role as Role };
  }

  private async isLive(jti: string): Promise<boolean> {
    const cached = this.known.get(jti);
    if (cached !== undefined) return cached;
    const [row] = await this.database.db.select().from(tokens).where(eq(tokens.jti, jti));
    const live = row !== undefined && row.revokedAt === null;
    this.known.set(jti, live);
    return live;
  }
}
