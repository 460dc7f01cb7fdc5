import type { Principal } from '@nexa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContextInner } from '../context.js';
import { ENV_VALUE_MASK } from '../services/taskRows.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { createCallerFactory } from '../trpc.js';
import { appRouter } from './index.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
});
afterEach(() => harness.close());

const caller = (principal: Principal) =>
  createCallerFactory(appRouter)(createContextInner({ services: harness.services, principal }));
const alice = () => caller({ jti: 'j-alice', role: 'member', subject: 'alice', projects: null });
const bob = () => caller({ jti: 'j-bob', role: 'member', subject: 'bob', projects: null });
const viewer = () => caller({ jti: 'j-viewer', role: 'viewer', subject: 'carol', projects: null });
const admin = () => caller({ jti: 'j-admin', role: 'admin', subject: 'root', projects: null });

describe("a task's environment values", () => {
  it('are shown to the task’s creator and admins only; others see the names with a fixed mask', async () => {
    const env = { API_TOKEN: 's3cr3tvalue', MODE: 'fast' };
    const task = await alice().tasks.submit({ command: ['true'], env });
    expect(task.env).toEqual(env);
    expect((await alice().tasks.get({ id: task.id })).env).toEqual(env);
    expect((await admin().tasks.get({ id: task.id })).env).toEqual(env);
    const masked = { API_TOKEN: ENV_VALUE_MASK, MODE: ENV_VALUE_MASK };
    for (const other of [bob(), viewer()]) {
      const shown = await other.tasks.get({ id: task.id });
      expect(shown.env).toEqual(masked);
      const listed = await other.tasks.list({ limit: 10 });
      expect(listed.find((t) => t.id === task.id)?.env).toEqual(masked);
      expect(JSON.stringify([shown, listed])).not.toContain('s3cr3tvalue');
    }
    // Cancelling someone else's task answers with the task, masked too.
    expect((await bob().tasks.cancel({ id: task.id })).env).toEqual(masked);
    expect((await bob().tasks.retry({ id: task.id })).env).toEqual(masked);
  });
});
