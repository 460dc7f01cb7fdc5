import type { AuditEntry } from '@nexa/core';
import { describe, expect, it } from 'vitest';
import { auditTable } from './audit.js';

const entry = (overrides: Partial<AuditEntry>): AuditEntry => ({
  id: 1,
  at: '2026-11-26T10:00:00.123Z',
  action: 'task.cancelled',
  actor: 'alice',
  role: 'member',
  target: 't-1',
  project: 'web',
  from: '10.0.0.7',
  detail: null,
  ...overrides,
});

describe('auditTable', () => {
  it('shows when, what, who (role), on what, where from', () => {
    const text = auditTable([
      entry({}),
      entry({
        action: 'auth.failed',
        actor: null,
        role: null,
        target: null,
        project: null,
        detail: 'the token has expired',
      }),
    ]);
    expect(text.split('\n')).toEqual([
      'WHEN                  ACTION          ACTOR           TARGET  PROJECT  FROM      DETAIL',
      '2026-11-26T10:00:00Z  task.cancelled  alice (member)  t-1     web      10.0.0.7  -',
      '2026-11-26T10:00:00Z  auth.failed     -               -       -        10.0.0.7  the token has expired',
    ]);
  });

  it('escapes terminal controls in every field, so no entry can rewrite the screen', () => {
    const text = auditTable([
      entry({ actor: 'eve\u001b[2J', target: 'a\rb', detail: 'no\nnewline\u0007', from: '\u001b]0;x\u0007' }),
    ]);
    const controls = [...text].filter((c) => c !== '\n' && (c < ' ' || c === '\u007f'));
    expect(controls).toEqual([]);
    expect(text.split('\n')).toHaveLength(2);
    expect(text).toContain('eve\\x1b[2J');
  });
});
