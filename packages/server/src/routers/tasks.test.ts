import { limits } from '@nexa/core';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContextInner } from '../context.js';
import { createHarness, type Harness } from '../testing/harness.js';
import { createCallerFactory } from '../trpc.js';
import { appRouter } from './index.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
});
afterEach(() => harness.close());

describe('tasks router', () => {
  it('queues a submitted task with the fields of the --json contract', async () => {
    const task = await harness.as('member').tasks.submit({ command: ['echo', 'hi'] });
    expect(task).toMatchObject({
      status: 'queued',
      workerId: null,
      attempt: 1,
      exitCode: null,
      agent: 'shell',
      command: ['echo', 'hi'],
    });
    expect(task.id).toMatch(/^t-/);
    expect(Date.parse(task.createdAt)).not.toBeNaN();
    expect(await harness.as('viewer').tasks.get({ id: task.id })).toEqual({
      ...task,
      waitingFor: 'no worker is connected',
      attempts: [],
      changes: null,
      children: [],
    });
  });

  it('lists newest first and filters by status', async () => {
    const caller = harness.as('admin');
    const first = await caller.tasks.submit({ command: ['true'] });
    const second = await caller.tasks.submit({ command: ['false'] });
    expect((await caller.tasks.list({ limit: 10 })).map((t) => t.id)).toEqual([second.id, first.id]);
    expect(await caller.tasks.list({ status: 'running', limit: 10 })).toEqual([]);
  });

  it('pages through every task once, newest first, with and without a status', async () => {
    const caller = harness.as('member');
    for (let i = 0; i < 5; i++) await caller.tasks.submit({ command: ['echo', String(i)] });
    const all = (await caller.tasks.list({ limit: 10 })).map((t) => t.id);
    for (const status of [undefined, 'queued'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 1; ; pages++) {
        const page = await caller.tasks.page({ limit: 2, status, cursor });
        seen.push(...page.items.map((t) => t.id));
        if (page.nextCursor === null) {
          expect(pages).toBe(3);
          break;
        }
        cursor = page.nextCursor;
      }
      expect(seen).toEqual(all);
    }
    const last = await caller.tasks.page({ limit: 5 });
    expect(last.nextCursor).toBeNull(); // exactly the last task: no empty page after it
  });

  it('refuses a cursor it did not make, saying what to pass', async () => {
    await expect(harness.as('viewer').tasks.page({ cursor: 'bm90IGEgY3Vyc29y' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/is not a listing cursor/),
    });
  });

  it('says which task was not found, with a stable code', async () => {
    const error = await harness
      .as('viewer')
      .tasks.get({ id: 't-missing' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('NOT_FOUND');
    expect((error as TRPCError).message).toBe('no task t-missing');
  });

  it('refuses a viewer submitting and a caller without a token', async () => {
    await expect(harness.as('viewer').tasks.submit({ command: ['true'] })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const anonymous = createCallerFactory(appRouter)(createContextInner({ services: harness.services }));
    await expect(anonymous.tasks.list()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'no token was sent',
    });
  });

  it('rejects a task without a command', async () => {
    await expect(harness.as('member').tasks.submit({ command: [] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });
});

describe('listing oversized tasks', () => {
  it('cuts a listing at its byte budget, newest first, instead of carrying every oversized row', async () => {
    const big = (n: number) => `${n}`.padEnd(60 * 1024, 'x');
    const spec = {
      command: ['echo', big(1), big(2), big(3), big(4)], // 240 KiB
      env: Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`V${i}`, big(i).slice(0, 30 * 1024)])), // 210 KiB
    };
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) ids.push((await harness.as('member').tasks.submit(spec)).id);
    const listed = await harness.as('admin').tasks.list({ limit: 1000 });
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.length).toBeLessThan(24);
    expect(listed.map((task) => task.id)).toEqual(ids.reverse().slice(0, listed.length));
    expect(JSON.stringify(listed).length).toBeLessThan(limits.listing.bytes * 1.1);
  });
});
