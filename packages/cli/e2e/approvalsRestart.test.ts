import { type FakeModelServer, startFakeAnthropic } from '@nexa/worker/testing/fake-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentRun, claudeWorker, describeRun, pendingApproval } from './agents.js';
import { newestTaskId, nexa, nexaInBackground, showTask, startWorker, workerToken } from './harness.js';
import { crashableCoordinator } from './servedHome.js';

const coordinator = crashableCoordinator();
const home = coordinator.home;
let fake: FakeModelServer;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(async () => {
  await fake?.close();
});

describe('a coordinator killed while an agent waits for approval', () => {
  it('keeps the request; approved after the restart, the agent carries on', async () => {
    const url = await coordinator.start();
    const { flags, env } = claudeWorker(fake.url);
    coordinator.keep(
      await startWorker(home, url, await workerToken(home, url), ['--name', 'w', ...flags], env),
    );

    const run = nexaInBackground(home, agentRun('run: echo survived > kept.txt'));
    coordinator.keep(run.daemon);
    const taskId = await newestTaskId(home);
    const request = await pendingApproval(home, taskId);

    await coordinator.kill();
    await coordinator.start();

    const stillPending = await pendingApproval(home, taskId);
    expect(stillPending.id).toBe(request.id);
    expect((await nexa(home, ['approve', request.id])).exitCode).toBe(0);
    const ran = await run.result;
    expect(ran.exitCode, describeRun(ran)).toBe(0);
    expect((await nexa(home, ['diff', taskId])).stdout).toContain('+survived');
    const task = await showTask(home, taskId);
    expect(task).toMatchObject({ status: 'succeeded', attempt: 1 }); // the same attempt carried on
  }, 120_000);
});
