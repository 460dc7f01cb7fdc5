import type { PolicyRule } from '@nexa/core';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { policies } from '../db/schema.js';
import type { Writer } from '../db/writeQueue.js';

const CACHE_LIMIT = 10_000;

/**
 * Approval rules kept on the coordinator: the project's policy (`nexa policy
 * set`) under scope "project", and the allow rules `nexa approve --always`
 * adds to one task under "task:<id>". Writes must run inside the write queue.
 */
export class PolicyStore {
  /** Only this process writes policies, so what it read stays true until it writes (bounded, oldest out). */
  private readonly cache = new Map<string, PolicyRule[]>();

  constructor(private readonly database: Database) {}

  /** Every approval request reads these: from memory after the first time. */
  async rules(scope: string): Promise<PolicyRule[]> {
    const known = this.cache.get(scope);
    if (known) return known;
    const [row] = await this.database.db.select().from(policies).where(eq(policies.scope, scope));
    const rules = row?.rules ?? [];
    this.remember(scope, rules);
    return rules;
  }

  /** Inside the write queue. */
  async replace(writer: Writer, scope: string, rules: PolicyRule[], by: string): Promise<void> {
    const updatedAt = Date.now();
    await writer.db
      .insert(policies)
      .values({ scope, rules, updatedAt, updatedBy: by })
      .onConflictDoUpdate({ target: policies.scope, set: { rules, updatedAt, updatedBy: by } });
    this.remember(scope, rules);
  }

  async add(writer: Writer, scope: string, rule: PolicyRule, by: string): Promise<void> {
    await this.replace(writer, scope, [...(await this.rules(scope)), rule], by);
  }

  async show(
    scope: string,
  ): Promise<{ rules: PolicyRule[]; updatedAt: string | null; updatedBy: string | null }> {
    const [row] = await this.database.db.select().from(policies).where(eq(policies.scope, scope));
    return {
      rules: row?.rules ?? [],
      updatedAt: row ? new Date(row.updatedAt).toISOString() : null,
      updatedBy: row?.updatedBy ?? null,
    };
  }

  private remember(scope: string, rules: PolicyRule[]): void {
    this.cache.delete(scope);
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(scope, rules);
  }
}
