import { describe, expect, it } from 'vitest';
import { NexaError } from './errors.js';
import { taskStatuses } from './schemas/task.js';
import { assertTransition, canTransition, isActiveStatus, isTerminalStatus } from './taskState.js';

describe('task state machine', () => {
  it('follows the lifecycle of DESIGN.md', () => {
    expect(canTransition('queued', 'assigned')).toBe(true);
    expect(canTransition('assigned', 'running')).toBe(true);
    expect(canTransition('running', 'waiting_approval')).toBe(true);
    expect(canTransition('waiting_approval', 'running')).toBe(true);
    expect(canTransition('running', 'succeeded')).toBe(true);
    expect(canTransition('running', 'queued')).toBe(true); // worker lost: requeued
  });

  it('never leaves a final status and never skips assignment', () => {
    for (const final of ['succeeded', 'failed', 'cancelled', 'timed_out'] as const) {
      expect(isTerminalStatus(final)).toBe(true);
      for (const next of taskStatuses) expect(canTransition(final, next)).toBe(false);
    }
    expect(canTransition('queued', 'running')).toBe(false);
    expect(canTransition('queued', 'succeeded')).toBe(false);
  });

  it('counts only assigned, running and waiting tasks against capacity', () => {
    expect(taskStatuses.filter(isActiveStatus)).toEqual(['assigned', 'running', 'waiting_approval']);
  });

  it('explains a refused transition', () => {
    expect(() => assertTransition('t-1', 'succeeded', 'running')).toThrow(
      new NexaError('conflict', 'task t-1 cannot go from succeeded to running'),
    );
  });
});
