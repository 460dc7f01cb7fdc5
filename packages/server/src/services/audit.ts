import { type AuditAction, type AuditEntry, limits, type Principal } from '@nexa/core';
import { and, desc, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { auditLog } from '../db/schema.js';

/** One thing that happened, as a service reports it; the actor is the caller's principal (null: none verified). */
export interface AuditRecord {
  action: AuditAction;
  actor: Principal | null;
  target?: string | null;
  project?: string | null;
  /** The remote address of the request (Context.remoteAddress). */
  from?: string | null;
  detail?: string | null;
}

export interface AuditQuery {
  sinceMs?: number;
  project?: string;
  /** Only entries of these projects (a member's); entries of no project are left out too. */
  projects?: readonly string[];
  action?: AuditAction;
  /** Rows with an id below this (paging back, newest first). */
  beforeId?: number;
  limit?: number;
}

/**
 * The audit log: who did what, when, from where. Recording never fails the
 * action it records (a full disk is logged, not thrown at the caller).
 */
export class AuditLog {
  constructor(
    private readonly database: Database,
    private readonly log: (line: string) => void,
  ) {}

  async record(entry: AuditRecord): Promise<void> {
    const detail = entry.detail ? entry.detail.slice(0, limits.audit.detailChars) : null;
    try {
      await this.database.writes.run((writer) =>
        writer.db.insert(auditLog).values({
          at: Date.now(),
          action: entry.action,
          actor: entry.actor?.subject ?? null,
          role: entry.actor?.role ?? null,
          target: entry.target ?? null,
          project: entry.project ?? null,
          fromAddress: entry.from ?? null,
          detail,
        }),
      );
    } catch (error) {
      this.log(`audit: could not record ${entry.action}: ${(error as Error).message}`);
    }
  }

  /** Newest first. */
  async list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const rows = await this.database.db
      .select()
      .from(auditLog)
      .where(
        and(
          query.sinceMs === undefined ? undefined : gte(auditLog.at, query.sinceMs),
          query.project === undefined ? undefined : eq(auditLog.project, query.project),
          query.projects === undefined ? undefined : inArray(auditLog.project, [...query.projects]),
          query.action === undefined ? undefined : eq(auditLog.action, query.action),
          query.beforeId === undefined ? undefined : lt(auditLog.id, query.beforeId),
        ),
      )
      .orderBy(desc(auditLog.id))
      .limit(Math.min(query.limit ?? 100, limits.audit.rows));
    return rows.map((row) => ({
      id: row.id,
      at: new Date(row.at).toISOString(),
      action: row.action as AuditAction,
      actor: row.actor,
      role: row.role,
      target: row.target,
      project: row.project,
      from: row.fromAddress,
      detail: row.detail,
    }));
  }
}
