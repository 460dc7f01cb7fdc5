import type { KvChange } from '@nexa/core';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../testing/harness.js';
import { take } from '../testing/iterate.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
  await harness.as('admin').projects.create({ name: 'web' });
});
afterEach(() => harness.close());

const member = () => harness.as('member');

describe('kv', () => {
  it('versions every set, lists by prefix, removes, per project', async () => {
    const first = await member().kv.set({ key: 'build/status', value: { ok: true } });
    expect(first).toMatchObject({ project: 'default', key: 'build/status', value: { ok: true }, version: 1 });
    expect((await member().kv.set({ key: 'build/status', value: 'red' })).version).toBe(2);
    await member().kv.set({ key: 'build/log', value: 3 });
    await member().kv.set({ key: 'deploy', value: null });
    await member().kv.set({ project: 'web', key: 'build/status', value: 'elsewhere' });
    expect((await harness.as('viewer').kv.list({ prefix: 'build/' })).map((e) => [e.key, e.value])).toEqual([
      ['build/log', 3],
      ['build/status', 'red'],
    ]);
    expect(await harness.as('viewer').kv.get({ project: 'web', key: 'build/status' })).toMatchObject({
      value: 'elsewhere',
      version: 1,
    });
    expect(await member().kv.remove({ key: 'deploy' })).toEqual({ removed: true });
    expect(await member().kv.remove({ key: 'deploy' })).toEqual({ removed: false });
    expect(await member().kv.get({ key: 'deploy' })).toBeNull();
    await expect(harness.as('viewer').kv.set({ key: 'x', value: 1 })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('compare-and-set: 20 concurrent increments end at 20, every loser told the current version', async () => {
    await member().kv.set({ key: 'counter', value: 0 });
    const conflicts: string[] = [];
    const increment = async () => {
      for (;;) {
        const entry = await member().kv.get({ key: 'counter' });
        if (!entry) throw new Error('the counter is gone');
        try {
          return await member().kv.set({
            key: 'counter',
            value: (entry.value as number) + 1,
            ifVersion: entry.version,
          });
        } catch (error) {
          if (!(error instanceof TRPCError) || error.code !== 'CONFLICT') throw error;
          conflicts.push(error.message);
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, increment));
    expect(await member().kv.get({ key: 'counter' })).toMatchObject({ value: 20, version: 21 });
    expect(conflicts.length).toBeGreaterThan(0);
    for (const message of conflicts) expect(message).toMatch(/^key "counter" is at version \d+, not \d+$/);
  });

  it('says a compare-and-set on a missing key finds version 0', async () => {
    await expect(member().kv.set({ key: 'nope', value: 1, ifVersion: 3 })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'key "nope" does not exist (version 0), not version 3',
    });
    expect((await member().kv.set({ key: 'nope', value: 1, ifVersion: 0 })).version).toBe(1);
    await expect(member().kv.set({ key: 'nope', value: 2, ifVersion: 0 })).rejects.toMatchObject({
      message: 'key "nope" is at version 1, not 0',
    });
  });

  it('watches a prefix: the entries now, then each change once', async () => {
    await member().kv.set({ key: 'jobs/a', value: 1 });
    await member().kv.set({ key: 'other', value: 1 });
    const watch = (await harness.as('viewer').kv.watch({ prefix: 'jobs/' }))[Symbol.asyncIterator]();
    const [snapshot] = (await take(watch, 1)) as KvChange[];
    expect(snapshot).toMatchObject({ type: 'set', entry: { key: 'jobs/a', version: 1 } });
    await member().kv.set({ key: 'other', value: 2 });
    await member().kv.set({ key: 'jobs/b', value: 'x' });
    await member().kv.remove({ key: 'jobs/a' });
    const changes = (await take(watch, 2)) as KvChange[];
    await watch.return?.();
    expect(changes).toEqual([
      { type: 'set', entry: expect.objectContaining({ key: 'jobs/b', value: 'x', version: 1 }) },
      { type: 'removed', project: 'default', key: 'jobs/a', version: 1 },
    ]);
  });
});
