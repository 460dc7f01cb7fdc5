import { NexaError, type Principal } from '@nexa/core';
import { describe, expect, it } from 'vitest';
import { AttemptEnded } from '../auth/tokens.js';
import type { AuditLog, AuditRecord } from '../services/audit.js';
import { PrincipalLimits } from './principalLimits.js';

/** The limits with a clock the test moves and an audit log that keeps what it was given. */
function limitsAt(start = 1_000_000) {
  const time = { now: start };
  const recorded: AuditRecord[] = [];
  const audit = { record: async (entry: AuditRecord) => void recorded.push(entry) } as unknown as AuditLog;
  return { limits: new PrincipalLimits(audit, undefined, () => time.now), recorded, time };
}

const forged = new NexaError('unauthorized', 'the token was not signed by this server');

describe('PrincipalLimits', () => {
  it('does not count a genuine task token whose attempt ended (its relay reconnecting as the task ends)', () => {
    const { limits, recorded } = limitsAt();
    const ended = new AttemptEnded(1);
    expect(ended.message).toBe("the task's attempt 1 has ended");
    for (let i = 0; i < 50; i++) limits.authFailed('10.0.0.1', ended);
    expect(limits.authRefusal('10.0.0.1')).toBeNull();
    expect(recorded).toEqual([]);
  });

  it('makes an address wait after the free failures, audits each failure and the wait once a minute', () => {
    const { limits, recorded, time } = limitsAt();
    for (let i = 0; i < 11; i++) limits.authFailed('10.0.0.1', forged);
    expect(limits.authRefusal('10.0.0.1')).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 1 });
    expect(limits.authRefusal('10.0.0.1')).not.toBeNull();
    expect(limits.authRefusal('10.0.0.2')).toBeNull();
    // An in-process caller has no address: never limited.
    expect(limits.authRefusal(null)).toBeNull();
    time.now += 1000;
    expect(limits.authRefusal('10.0.0.1')).toBeNull();
    expect(recorded.map((r) => r.action)).toEqual([...Array(11).fill('auth.failed'), 'rate.limited']);
    expect(recorded[0]).toMatchObject({ actor: null, from: '10.0.0.1', detail: forged.message });
  });

  it('lets a fleet share one plain worker token over any number of sockets, not a worker credential', () => {
    const { limits } = limitsAt();
    const socket = { readyState: 1, once: () => undefined };
    const fleet: Principal = { jti: 'fleet', role: 'worker', subject: 'fleet', projects: null };
    const own: Principal = { ...fleet, jti: 'own', worker: { id: 'w-1', name: 'box', labels: null } };
    for (let i = 0; i < 100; i++) expect(limits.openSocket(fleet, socket, null)).toBeNull();
    for (let i = 0; i < 64; i++) expect(limits.openSocket(own, socket, null)).toBeNull();
    expect(limits.openSocket(own, socket, null)).toMatchObject({ code: 'rate_limited' });
  });
});
