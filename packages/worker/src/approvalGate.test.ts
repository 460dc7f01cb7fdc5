import type { Approval, ApprovalDecision, TaskEventBody } from '@nexa/core';
import { describe, expect, it } from 'vitest';
import { type RequestApproval, TaskApprovalGate, withRelativePaths } from './approvalGate.js';

const task = { taskId: 't-1', attempt: 1 };
const request = { key: 'k1', tool: 'Bash', action: 'run `ls`', command: 'ls', risk: 'execute' as const };

function approval(status: Approval['status'], extra: Partial<Approval> = {}): Approval {
  return {
    id: 'a-1',
    ...task,
    agent: 'claude',
    tool: 'Bash',
    action: 'run `ls`',
    risk: 'execute',
    status,
    createdAt: '',
    expiresAt: '',
    decidedAt: null,
    decidedBy: status === 'pending' ? null : 'policy',
    rule: null,
    reason: null,
    question: false,
    ...extra,
  };
}

function gateWith(requestApproval: RequestApproval, signal = new AbortController().signal) {
  const events: TaskEventBody[] = [];
  const sink = { emit: (e: TaskEventBody) => events.push(e) > 0, writable: async () => {} };
  return { gate: new TaskApprovalGate(task, sink, requestApproval, signal), events };
}

const allow: ApprovalDecision = { outcome: 'allow', always: false };

describe('an attempt’s approval gate', () => {
  it('logs a request a policy decided at once, without ever showing the task as waiting', async () => {
    const { gate, events } = gateWith(async () => ({
      approval: approval('approved', { rule: 'task rule 1' }),
      decision: allow,
    }));
    await expect(gate.ask(request)).resolves.toEqual(allow);
    expect(events.map((e) => e.kind)).toEqual(['approval_requested', 'approval_decided']);
    expect(events[1]).toMatchObject({ status: 'approved', decidedBy: 'policy', rule: 'task rule 1' });
  });

  it('waits for a person: the task shows waiting_approval, then running once decided', async () => {
    const { gate, events } = gateWith(async () => ({ approval: approval('pending') }));
    const answer = gate.ask(request);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events.map((e) => (e.kind === 'status' ? e.status : e.kind))).toEqual([
      'approval_requested',
      'waiting_approval',
    ]);
    gate.deliver('k1', approval('denied', { decidedBy: 'alice', reason: 'no' }), {
      outcome: 'deny',
      always: false,
      message: 'no',
    });
    await expect(answer).resolves.toMatchObject({ outcome: 'deny', message: 'no' });
    expect(events.slice(2).map((e) => (e.kind === 'status' ? e.status : e.kind))).toEqual([
      'approval_decided',
      'running',
    ]);
  });

  it('asks again while the coordinator is away (the request is idempotent), and a stop cancels what waits', async () => {
    let calls = 0;
    const stop = new AbortController();
    const { gate } = gateWith(async () => {
      calls++;
      if (calls < 3) throw new Error('connection lost');
      return { approval: approval('pending') };
    }, stop.signal);
    const answer = gate.ask(request);
    while (calls < 3) await new Promise((resolve) => setTimeout(resolve, 50));
    stop.abort();
    await expect(answer).resolves.toMatchObject({ outcome: 'cancelled' });
  });

  it('reports paths relative to the working copy as the agent sees it', async () => {
    const seen: string[][] = [];
    const inner = {
      ask: async (r: { paths?: string[] }) => {
        seen.push(r.paths ?? []);
        return allow;
      },
    };
    await withRelativePaths(inner, '/work').ask({ ...request, paths: ['/work/src/a.ts', '/etc/passwd'] });
    expect(seen).toEqual([['src/a.ts', '/etc/passwd']]);
  });
});
