import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenService } from '../auth/tokens.js';
import { createHarness, type Harness } from '../testing/harness.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
});
afterEach(() => harness.close());

describe('tokens router', () => {
  it('refuses a revoked token at once, even one verified (and cached) before', async () => {
    const { tokens } = harness.services;
    const issued = await harness
      .as('admin')
      .tokens.create({ role: 'member', subject: 'alice', projects: ['default'] });
    await expect(tokens.verify(issued.token)).resolves.toMatchObject({ subject: 'alice' });
    await harness.as('admin').tokens.revoke({ id: issued.jti });
    await expect(tokens.verify(issued.token)).rejects.toMatchObject({
      code: 'unauthorized',
      message: 'the token has been revoked',
    });
  });

  it('lists tokens without the token itself, and says which are revoked', async () => {
    const admin = harness.as('admin');
    const kept = await admin.tokens.create({
      role: 'viewer',
      subject: 'ci',
      ttlSeconds: 60,
      projects: ['default'],
    });
    const gone = await admin.tokens.create({ role: 'worker', subject: 'box-1' });
    await admin.tokens.revoke({ id: gone.jti });
    const listed = await admin.tokens.list();
    expect(JSON.stringify(listed)).not.toContain(kept.token);
    expect(JSON.stringify(listed)).not.toContain(gone.token);
    expect(listed.find((t) => t.id === kept.jti)).toMatchObject({
      role: 'viewer',
      subject: 'ci',
      createdBy: 'test-admin',
      expiresAt: kept.expiresAt,
      revokedAt: null,
      projects: ['default'],
    });
    expect(listed.find((t) => t.id === gone.jti)?.revokedAt).toEqual(expect.any(String));
  });

  it('lets only admins list and revoke', async () => {
    await expect(harness.as('member').tokens.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(harness.as('member').tokens.revoke({ id: 'x' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('says which token was not found', async () => {
    await expect(harness.as('admin').tokens.revoke({ id: 'no-such-jti' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'no token no-such-jti',
    });
  });

  it('names the holder by default, not the role: two members are not the same subject', async () => {
    const admin = harness.as('admin');
    const first = await admin.tokens.create({ role: 'member', projects: ['default'] });
    const second = await admin.tokens.create({ role: 'member', projects: ['default'] });
    const { tokens } = harness.services;
    const a = await tokens.verify(first.token);
    const b = await tokens.verify(second.token);
    expect(a.subject).not.toBe('member');
    expect(a.subject).not.toBe(b.subject);
    expect(a.subject).toMatch(/^member@test-admin-/);
  });

  it('binds member and viewer tokens to projects that exist, and a verified request knows them', async () => {
    const admin = harness.as('admin');
    await admin.projects.create({ name: 'web' });
    await expect(admin.tokens.create({ role: 'member' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'a member token needs --project',
    });
    await expect(admin.tokens.create({ role: 'viewer', projects: ['web', 'nope'] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'no project "nope"',
      cause: { hint: 'an admin creates it: nexa projects create nope' },
    });
    const issued = await admin.tokens.create({ role: 'member', projects: ['web', 'default'] });
    expect(issued.projects).toEqual(['web', 'default']);
    // A fresh service (a coordinator restart) reads them from the row.
    const restarted = new TokenService(harness.services.database, new Uint8Array(32).fill(7));
    await expect(restarted.verify(issued.token)).resolves.toMatchObject({ projects: ['web', 'default'] });
    const admins = await admin.tokens.create({ role: 'admin' });
    await expect(restarted.verify(admins.token)).resolves.toMatchObject({ projects: null });
    expect((await admin.tokens.list()).find((t) => t.id === issued.jti)?.projects).toEqual([
      'web',
      'default',
    ]);
  });

  it('audits who made and revoked a token, never the token itself', async () => {
    const admin = harness.as('admin');
    const issued = await admin.tokens.create({ role: 'worker', subject: 'box' });
    await admin.tokens.revoke({ id: issued.jti });
    const entries = await harness.services.audit.list();
    expect(entries.map((e) => [e.action, e.actor, e.target])).toEqual([
      ['token.revoked', 'test-admin', issued.jti],
      ['token.created', 'test-admin', issued.jti],
    ]);
    expect(JSON.stringify(entries)).not.toContain(issued.token);
  });

  it('makes join tokens only for workers, with uses and labels only on join tokens', async () => {
    const admin = harness.as('admin');
    await expect(
      admin.tokens.create({ role: 'member', projects: ['default'], join: true }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(admin.tokens.create({ role: 'worker', uses: 2 })).rejects.toMatchObject({
      message: '--uses and --labels are for join tokens: add --join',
    });
    const join = await admin.tokens.create({ role: 'worker', join: true, labels: { gpu: 'a100' } });
    expect(join).toMatchObject({ join: true, uses: 1, projects: null });
    // A join token lives an hour unless told otherwise.
    expect(Date.parse(join.expiresAt ?? '') - Date.now()).toBeGreaterThan(3500_000);
    expect(Date.parse(join.expiresAt ?? '') - Date.now()).toBeLessThanOrEqual(3600_000);
    await expect(harness.services.tokens.verify(join.token)).resolves.toMatchObject({ join: true });
  });
});
