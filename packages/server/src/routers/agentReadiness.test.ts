import type { WorkerMessage } from '@nexa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, registration } from '../testing/harness.js';
import { take } from '../testing/iterate.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
});
afterEach(() => harness.close());

const noKey = 'no ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN passed; see --pass-env';

describe('an agent a worker has but cannot run', () => {
  it('is listed with its reason, and is why a task for it waits', async () => {
    const caller = harness.connection('worker');
    const session = (
      await caller.workers.connect(
        registration({
          name: 'local',
          agents: ['shell'],
          unavailableAgents: [{ agent: 'claude', reason: noKey }],
        }),
      )
    )[Symbol.asyncIterator]();
    (await take(session, 1)) as [WorkerMessage];

    const [listed] = await harness.as('viewer').workers.list();
    expect(listed).toMatchObject({
      name: 'local',
      agents: ['shell'],
      unavailableAgents: [{ agent: 'claude', reason: noKey }],
    });

    const task = await harness.as('member').tasks.submit({ prompt: 'fix the build', agent: 'claude' });
    await harness.services.scheduler.kick();
    expect((await harness.as('viewer').tasks.get({ id: task.id })).waitingFor).toBe(
      `worker local cannot run claude: ${noKey}`,
    );
    await session.return?.();
  });

  it('defaults to none for a worker that does not say (an older worker)', async () => {
    const caller = harness.connection('worker');
    const { unavailableAgents: _, ...older } = registration({ name: 'old' });
    const session = (await caller.workers.connect(older))[Symbol.asyncIterator]();
    await take(session, 1);
    expect((await harness.as('viewer').workers.list())[0]?.unavailableAgents).toEqual([]);
    await session.return?.();
  });
});
