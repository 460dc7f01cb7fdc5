import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../testing/harness.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
});
afterEach(() => harness.close());

describe('tokens router', () => {
  it('refuses a revoked token at once, even one verified (and cached) before', async () => {
    const { tokens } = harness.services;
    const issued = await harness.as('admin').tokens.create({ role: 'member', subject: 'alice' });
    await expect(tokens.verify(issued.token)).resolves.toMatchObject({ subject: 'alice' });
    await harness.as('admin').tokens.revoke({ id: issued.jti });
    await expect(tokens.verify(issued.token)).rejects.toMatchObject({
      code: 'unauthorized',
      message: 'the token has been revoked',
    });
  });

  it('lists tokens without the token itself, and says which are revoked', async () => {
    const admin = harness.as('admin');
    const kept = await admin.tokens.create({ role: 'viewer', subject: 'ci', ttlSeconds: 60 });
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
    const first = await admin.tokens.create({ role: 'member' });
    const second = await admin.tokens.create({ role: 'member' });
    const { tokens } = harness.services;
    const a = await tokens.verify(first.token);
    const b = await tokens.verify(second.token);
    expect(a.subject).not.toBe('member');
    expect(a.subject).not.toBe(b.subject);
    expect(a.subject).toMatch(/^member@test-admin-/);
  });
});
