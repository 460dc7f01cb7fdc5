import type { PolicyRule } from '@nexa/core';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { policies } from '../db/schema.js';

/**
 * Approval rules kept on the coordinator: the project's policy (`nexa policy
 * set`) under scope "project", and the allow rules `nexa approve --always`
 * adds to one task under "task:<id>". Writes must run inside the write queue.
 */
export class PolicyStore {
  constructor(private readonly database: Database) {}

  async rules(scope: string): Promise<PolicyRule[]> {
    const [row] = await this.database.db.select().from(policies).where(eq(policies.scope, scope));
    return row?.rules ?? [];
  }

  async replace(scope: string, rules: PolicyRule[], by: string): Promise<void> {
    const row = { scope, rules, updatedAt: Date.now(), updatedBy: by };
    await this.database.db
      .insert(policies)
      .values(row)
      .onConflictDoUpdate({
        target: policies.scope,
        set: { rules, updatedAt: row.updatedAt, updatedBy: by },
      });
  }

  async add(scope: string, rule: PolicyRule, by: string): Promise<void> {
    await this.replace(scope, [...(await this.rules(scope)), rule], by);
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
}
