import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  adminToken,
  type Daemon,
  type Home,
  makeHome,
  nexa,
  nexaInBackground,
  startServer,
  startWorker,
  workerToken,
} from './harness.js';
import { type Observer, observe } from './observer.js';

let home: Home;
let server: Daemon;
let url: string;
let observer: Observer;
let token: string;
const daemons: Daemon[] = [];

async function setUp(serverFlags: string[] = []) {
  home = await makeHome();
  ({ daemon: server, url } = await startServer(home, serverFlags));
  home.env.NEXA_SERVER = url;
  observer = observe(url, await adminToken(home, url));
  token = await workerToken(home, url);
}

async function worker(name: string, extra: string[] = []): Promise<Daemon> {
  const daemon = await startWorker(home, url, token, ['--name', name, ...extra]);
  daemons.push(daemon);
  return daemon;
}

const output = (text: string) => (event: { kind: string; data?: string }) =>
  event.kind === 'output' && (event.data ?? '').includes(text);

afterEach(async () => {
  for (const daemon of daemons.splice(0)) {
    daemon.signal('SIGCONT');
    await daemon.stop('SIGKILL');
  }
  await observer?.close();
  await server?.stop();
  await home?.cleanup();
});

describe('a worker killed mid-task (default heartbeat 2 s, lease 10 s)', () => {
  beforeEach(() => setUp());

  it('runs the task again on the other worker within 15 s of the kill', async () => {
    // Both up before the task exists; the one with the most free slots (first) takes it.
    const first = await worker('first', ['--capacity', '2']);
    await worker('second', ['--capacity', '1']);
    const run = nexaInBackground(home, [
      'run',
      '--json',
      '--',
      'sh',
      '-c',
      'echo "attempt $NEXA_ATTEMPT started"; if [ "$NEXA_ATTEMPT" = 1 ]; then sleep 60; fi; echo "attempt $NEXA_ATTEMPT done"',
    ]);
    const { taskId } = await waitForSubmitted(observer);
    await observer.waitForEvent(taskId, output('attempt 1 started'));

    first.signal('SIGKILL');
    const killedAt = Date.now();
    await observer.waitForEvent(taskId, output('attempt 2 started'));
    const restartedAfterMs = Date.now() - killedAt;
    expect(restartedAfterMs).toBeLessThanOrEqual(15_000);
    console.log(`worker SIGKILL → task restarted on another worker: ${restartedAfterMs} ms`);

    const result = await run.result;
    expect(result.exitCode).toBe(0);
    const task = await observer.task(taskId);
    expect(task.attempts.map((a) => a.status)).toEqual(['lost', 'succeeded']);
    expect(result.stdout).toContain('"status":"queued"'); // nexa run saw the requeue and carried on
  });
});

describe('workers lost with short leases (heartbeat 500 ms, lease 2 s)', () => {
  beforeEach(() => setUp(['--heartbeat', '500ms', '--lease', '2s']));

  it('with --retries 0 fails the task with reason worker_lost; nexa run says so in one line', async () => {
    const only = await worker('only');
    const run = nexaInBackground(home, ['run', '--retries', '0', '--', 'sh', '-c', 'echo started; sleep 30']);
    const { taskId } = await waitForSubmitted(observer);
    await observer.waitForEvent(taskId, output('started'));
    only.signal('SIGKILL');
    const result = await run.result;
    expect(result.exitCode).toBe(125);
    expect(result.stdout).toBe('started\n');
    expect(result.stderr).toBe(
      `nexa: task ${taskId} failed: its worker was lost and it had no attempts left (see --retries)\n`,
    );
    expect(await observer.task(taskId)).toMatchObject({
      status: 'failed',
      reason: 'worker_lost',
      attempt: 1,
    });
  });

  it('a worker frozen past its lease (SIGSTOP) loses its task, and after SIGCONT never writes into the new attempt', async () => {
    // Both up before the task exists; the scheduler picks the worker with the most free slots: frozen.
    const frozen = await worker('frozen', ['--capacity', '2']);
    await worker('awake', ['--capacity', '1']);
    const submitted = await observer.api.tasks.submit.mutate({
      // The frozen copy's sleep ends while it is frozen (a lease is 2 s), so on waking it has output to report.
      command: ['sh', '-c', 'echo "begin $NEXA_ATTEMPT"; sleep 1.5; echo "end $NEXA_ATTEMPT"'],
    });
    await observer.waitForEvent(submitted.id, output('begin 1'));
    frozen.signal('SIGSTOP');
    await observer.waitForEvent(submitted.id, output('begin 2'));
    frozen.signal('SIGCONT');
    // On waking it either tries to report its copy's output and is refused, or is told to stop that copy.
    await frozen.waitFor(/is no longer ours|runs elsewhere now/);
    const done = await observer.waitForTask(submitted.id, (t) => t.status === 'succeeded');
    expect(done.attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'lost'],
      [2, 'succeeded'],
    ]);
    const log = await nexa(home, ['logs', submitted.id]);
    expect(log.stdout).toBe('begin 1\nbegin 2\nend 2\n');
    const events = await observer.api.events.list.query({ taskId: submitted.id });
    const requeuedAt = events.findIndex((e) => e.kind === 'status' && e.status === 'queued');
    expect(events.slice(requeuedAt + 1).every((e) => e.attempt === 2)).toBe(true);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, index) => index + 1));
  });

  it('a worker stopped with SIGTERM lets short tasks finish and hands long ones back', async () => {
    const leaving = await worker('leaving', ['--shutdown-timeout', '2s']);
    const short = await observer.api.tasks.submit.mutate({
      command: ['sh', '-c', 'echo short; sleep 0.5; echo short-done'],
    });
    const long = await observer.api.tasks.submit.mutate({
      command: ['sh', '-c', 'echo "long $NEXA_ATTEMPT"; sleep 30'],
    });
    await observer.waitForEvent(short.id, output('short'));
    await observer.waitForEvent(long.id, output('long 1'));
    await worker('staying');
    expect(await leaving.stop('SIGTERM')).toBe(0);
    expect(leaving.log).toMatch(/handing 1 task\(s\) back/);
    expect(await observer.waitForTask(short.id, (t) => t.status === 'succeeded')).toMatchObject({
      attempt: 1,
    });
    await observer.waitForEvent(long.id, output('long 2'));
    const task = await observer.task(long.id);
    expect(task.attempts.map((a) => a.status)).toEqual(['handed_back', 'running']);
    expect(task.maxAttempts).toBe(3); // handing back used up no retry
    await observer.api.tasks.cancel.mutate({ id: long.id });
  });
});

/** The one task the test submitted through `nexa run`, once the coordinator has it. */
async function waitForSubmitted(observer: Observer): Promise<{ taskId: string }> {
  for (;;) {
    const [task] = await observer.api.tasks.list.query({ limit: 1 });
    if (task) return { taskId: task.id };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
