import { limits, type NexaError, type Principal } from '@nexa/core';
import { AttemptEnded } from '../auth/tokens.js';
import type { AuditLog } from '../services/audit.js';
import { FailureBackoff, OncePer, RateLimited, WindowCounter } from './rateLimits.js';

/** Principals and addresses remembered at most, per limit: a flood of new ones forgets the oldest. */
const REMEMBERED = 10_000;
const MINUTE_MS = 60_000;
/** The first wait after the free failed authentications; doubled with each failure after. */
const AUTH_BACKOFF_BASE_MS = 1000;
/** An address with no failed authentication for this long starts again with its free ones. */
const AUTH_FORGET_MS = 15 * MINUTE_MS;

/** What a socket must offer to be counted until it closes (ws's WebSocket has it). */
interface CountedSocket {
  readyState: number;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * What one principal or one address may do in a while: task submissions per
 * minute, WebSockets open at once, and failed authentications (then a
 * doubling wait, during which even a good token from the address is refused).
 * Each refusal is `rate_limited` with how long to wait; each is audited once
 * per principal or address per minute, not per refused call, so a flood
 * cannot flood the audit log either.
 */
export class PrincipalLimits {
  private readonly submissions: WindowCounter;
  private readonly authFailures: FailureBackoff;
  private readonly reported: OncePer;
  /** Open sockets by token: bounded by the sockets themselves (each removes itself when it closes). */
  private readonly sockets = new Map<string, number>();

  constructor(
    private readonly audit: AuditLog,
    private readonly submitsPerMinute: number = limits.rates.submitsPerMinute,
    now: () => number = Date.now,
  ) {
    this.submissions = new WindowCounter(submitsPerMinute, MINUTE_MS, REMEMBERED, now);
    this.authFailures = new FailureBackoff(
      {
        free: limits.rates.authFailuresFree,
        baseMs: AUTH_BACKOFF_BASE_MS,
        maxMs: limits.rates.authBackoffMaxMs,
        forgetMs: AUTH_FORGET_MS,
        cap: REMEMBERED,
      },
      now,
    );
    this.reported = new OncePer(MINUTE_MS, REMEMBERED * 3, now);
  }

  /** Counts a task submission of this principal (a sub-task: of its task's token); throws when over. */
  admitSubmission(principal: Principal, from: string | null): void {
    const waitMs = this.submissions.take(principal.jti);
    if (waitMs === null) return;
    const max = this.submitsPerMinute;
    throw this.refused(
      new RateLimited(`this token has submitted ${max} tasks in the last minute (the limit)`, waitMs),
      { key: `submit:${principal.jti}`, actor: principal, target: 'tasks.submit', from },
    );
  }

  /** The refusal for a request from an address that must wait after failed authentications; null if it may try. */
  authRefusal(from: string | null): RateLimited | null {
    if (from === null) return null;
    const waitMs = this.authFailures.waitMs(from);
    if (waitMs === 0) return null;
    return this.refused(
      new RateLimited(
        `too many failed authentications from ${from}: every request from it is refused for now`,
        waitMs,
      ),
      { key: `auth:${from}`, actor: null, target: 'authentication', from },
    );
  }

  /**
   * A token sent from this address was refused: audited (the free ones and
   * then one per wait, as requests during a wait are refused unread), and
   * counted towards the address's wait. A task token whose attempt ended is
   * genuine (its agent's relay reconnecting as the task ended), not counted.
   */
  authFailed(from: string | null, error: NexaError): void {
    if (error instanceof AttemptEnded) return;
    void this.audit.record({ action: 'auth.failed', actor: null, from, detail: error.message });
    if (from !== null) this.authFailures.fail(from);
  }

  /**
   * Counts an authenticated WebSocket until it closes, or returns the refusal
   * when its token already has the most open. A fleet sharing one plain
   * worker token is not counted: each of its workers opens one socket.
   */
  openSocket(principal: Principal, socket: CountedSocket, from: string | null): RateLimited | null {
    if (principal.role === 'worker' && !principal.worker) return null;
    if (socket.readyState >= 2) return null; // closed while it authenticated: its close has passed
    const key = principal.jti;
    const open = this.sockets.get(key) ?? 0;
    const max = limits.rates.connectionsPerPrincipal;
    if (open >= max) {
      return this.refused(
        new RateLimited(
          `this token already has ${max} WebSockets open (the limit)`,
          1000,
          'close another connection of this token, or wait 1 s and retry',
        ),
        { key: `sockets:${key}`, actor: principal, target: 'websocket', from },
      );
    }
    this.sockets.set(key, open + 1);
    socket.once('close', () => {
      const left = (this.sockets.get(key) ?? 1) - 1;
      if (left > 0) this.sockets.set(key, left);
      else this.sockets.delete(key);
    });
    return null;
  }

  private refused(
    error: RateLimited,
    who: { key: string; actor: Principal | null; target: string; from: string | null },
  ): RateLimited {
    if (this.reported.first(who.key)) {
      void this.audit.record({
        action: 'rate.limited',
        actor: who.actor,
        target: who.target,
        from: who.from,
        detail: error.message,
      });
    }
    return error;
  }
}
