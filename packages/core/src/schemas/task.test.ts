import { describe, expect, it } from 'vitest';
import { TaskSpec } from './task.js';

describe('TaskSpec', () => {
  it('fills defaults for a bare command', () => {
    expect(TaskSpec.parse({ command: ['echo', 'hi'] })).toEqual({
      agent: 'shell',
      command: ['echo', 'hi'],
      env: {},
      labels: {},
      priority: 0,
      maxAttempts: 2,
      timeoutMs: null,
      graceMs: 10_000,
      repo: null,
      sandbox: null,
      image: null,
      network: false,
      limits: {},
    });
  });

  it('rejects bad environment names with a readable message', () => {
    const result = TaskSpec.safeParse({ command: ['true'], env: { 'BAD-NAME': 'x' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/letters, digits and _/);
  });
});
