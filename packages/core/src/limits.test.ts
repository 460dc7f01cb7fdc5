import { describe, expect, it } from 'vitest';
import { limits } from './limits.js';
import { ApprovalDecision, Policy, TaskEvent, TaskSpec, WorkerRegistration } from './schemas/index.js';

/** The first problem zod reports, as the server would say it: "path: message". */
function problem(
  schema: { safeParse(value: unknown): { error?: { issues: { path: PropertyKey[]; message: string }[] } } },
  value: unknown,
) {
  const issue = schema.safeParse(value).error?.issues[0];
  return issue ? `${issue.path.join('.')}: ${issue.message}` : undefined;
}

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

describe('limits on what the coordinator stores', () => {
  it('refuses a 50 MB command, naming command and the limit', () => {
    const huge = 'x'.repeat(50 * 1024 * 1024);
    expect(problem(TaskSpec, { command: ['echo', huge] })).toMatch(/command.*limit of 65536 characters/);
    const many = Array.from({ length: 10 }, () => 'y'.repeat(60 * 1024));
    expect(problem(TaskSpec, { command: many })).toMatch(/command \(all arguments together\).*262144/);
    expect(problem(TaskSpec, { command: Array(5000).fill('a') })).toMatch(/command.*4096 arguments/);
  });

  it('bounds prompt, env and labels', () => {
    expect(problem(TaskSpec, { agent: 'claude', prompt: 'p'.repeat(200_001) })).toMatch(/prompt.*200000/);
    const env = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`V${i}`, 'v']));
    expect(problem(TaskSpec, { command: ['true'], env })).toMatch(/env.*256 variables/);
    expect(problem(TaskSpec, { command: ['true'], env: { A: 'v'.repeat(40_000) } })).toMatch(
      /env value.*32768/,
    );
    const labels = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v']));
    expect(problem(TaskSpec, { command: ['true'], labels })).toMatch(/label.*64 labels/);
    expect(problem(TaskSpec, { command: ['true'], labels: { k: 'v'.repeat(300) } })).toMatch(
      /label value.*255/,
    );
    expect(TaskSpec.safeParse({ command: ['echo', 'x'.repeat(60_000)], env: { A: 'b' } }).success).toBe(true);
  });

  it('bounds worker registrations and policies', () => {
    const labels = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v']));
    const worker = {
      name: 'w',
      instanceId: 'instance-1',
      capacity: 1,
      version: '1',
      sandboxes: ['process'],
      agents: ['shell'],
    };
    expect(problem(WorkerRegistration, { ...worker, labels })).toMatch(/worker label.*64 labels/);
    expect(problem(WorkerRegistration, { ...worker, labels: { k: 'v'.repeat(1000) } })).toMatch(/255/);
    const rules = Array.from({ length: limits.policy.rules + 1 }, () => ({ decision: 'allow' }));
    expect(problem(Policy, { rules })).toMatch(/policy.*1000 rules/);
  });

  it('bounds every stored string of an event, on the server as at the worker', () => {
    const base = { seq: 1, at: 1 };
    expect(
      problem(TaskEvent, { ...base, kind: 'output', stream: 'stdout', data: 'x'.repeat(300 * 1024) }),
    ).toMatch(/output data.*262144/);
    expect(problem(TaskEvent, { ...base, kind: 'error', message: 'x'.repeat(300 * 1024) })).toMatch(
      /error message/,
    );
    expect(problem(TaskEvent, { ...base, kind: 'agent_message', text: 'x'.repeat(300 * 1024) })).toMatch(
      /agent_message/,
    );
    const call = { ...base, kind: 'tool_call', callId: 'c', tool: 't', title: 'run' };
    expect(problem(TaskEvent, { ...call, input: nested(10_000) })).toMatch(/tool_call input.*nested deeper/);
    expect(problem(TaskEvent, { ...call, input: { big: 'x'.repeat(300 * 1024) } })).toMatch(
      /tool_call input.*larger/,
    );
    expect(TaskEvent.safeParse({ ...call, input: { command: 'ls', nested: nested(10) } }).success).toBe(true);
    expect(
      TaskEvent.safeParse({ ...base, kind: 'output', stream: 'stdout', data: 'x'.repeat(64 * 1024) }).success,
    ).toBe(true);
  });

  it("bounds an approval decision's edited input", () => {
    expect(problem(ApprovalDecision, { outcome: 'allow', updatedInput: nested(10_000) })).toMatch(
      /updatedInput.*nested/,
    );
    expect(
      ApprovalDecision.parse({ outcome: 'allow', updatedInput: { command: 'ls' } }).updatedInput,
    ).toEqual({
      command: 'ls',
    });
  });
});
