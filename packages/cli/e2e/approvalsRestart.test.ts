import { type FakeModelServer, startFakeAnthropic } from '@nexa/worker/testing/fake-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeWorker, describeRun, makeRepo, pendingApproval } from './agents.js';
import {
  type Daemon,
  type Home,
  makeHome,
  newestTaskId,
  nexa,
  nexaInBackground,
  showTask,
  startServer,
  startWorker,
  workerToken,
} from './harness.js';

let fake: FakeModelServer;
let home: Home;
const daemons: Daemon[] = [];
beforeAll(async () => {
  fake = await startFakeAnthropic();
  home = await makeHome();
});
afterAll(async () => {
  for (const daemon of daemons) await daemon.stop('SIGKILL');
  await home.cleanup();
  await fake.close();
});

describe('a coordinator killed while an agent waits for approval', () => {
  it('keeps the request; approved after the restart, the agent carries on', async () => {
    const first = await startServer(home);
    daemons.push(first.daemon);
    const port = new URL(first.url).port;
    home.env.NEXA_SERVER = first.url;
    const { flags, env } = claudeWorker(fake.url);
    daemons.push(
      await startWorker(home, first.url, await workerToken(home, first.url), ['--name', 'w', ...flags], env),
    );

    const run = nexaInBackground(home, [
      'run',
      'run: echo survived > kept.txt',
      '--agent',
      'claude',
      '--repo',
      makeRepo(),
      '--sandbox',
      'process',
    ]);
    daemons.push(run.daemon);
    const taskId = await newestTaskId(home);
    const request = await pendingApproval(home, taskId);

    first.daemon.signal('SIGKILL');
    await first.daemon.child;
    const second = await startServer(home, [], port);
    daemons.push(second.daemon);

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
