import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Cluster, output, startCluster } from './cluster.js';
import { nexa, nexaInBackground } from './harness.js';

let cluster: Cluster;
afterEach(() => cluster?.stop());

describe('a worker killed mid-task (default heartbeat 2 s, lease 10 s)', () => {
  beforeEach(async () => {
    cluster = await startCluster();
  });

  it('runs the task again on the other worker within 15 s of the kill', async () => {
    // Both up before the task exists; the one with the most free slots (first) takes it.
    const first = await cluster.worker('first', ['--capacity', '2']);
    await cluster.worker('second', ['--capacity', '1']);
    const run = nexaInBackground(cluster.home, [
      'run',
      '--sandbox',
      'process',
      '--json',
      '--',
      'sh',
      '-c',
      'echo "attempt $NEXA_ATTEMPT started"; if [ "$NEXA_ATTEMPT" = 1 ]; then sleep 60; fi; echo "attempt $NEXA_ATTEMPT done"',
    ]);
    const taskId = await cluster.nextTask();
    await cluster.observer.waitForEvent(taskId, output('attempt 1 started'));

    first.signal('SIGKILL');
    const killedAt = Date.now();
    await cluster.observer.waitForEvent(taskId, output('attempt 2 started'));
    const restartedAfterMs = Date.now() - killedAt;
    expect(restartedAfterMs).toBeLessThanOrEqual(15_000);
    console.log(`worker SIGKILL → task restarted on another worker: ${restartedAfterMs} ms`);

    const result = await run.result;
    expect(result.exitCode).toBe(0);
    const task = await cluster.observer.task(taskId);
    expect(task.attempts.map((a) => a.status)).toEqual(['lost', 'succeeded']);
    expect(result.stdout).toContain('"status":"queued"'); // nexa run saw the requeue and carried on
  });
});

describe('workers lost with short leases (heartbeat 500 ms, lease 2 s)', () => {
  beforeEach(async () => {
    cluster = await startCluster(['--heartbeat', '500ms', '--lease', '2s']);
  });

  it('with --retries 0 fails the task with reason worker_lost; nexa run says so in one line', async () => {
    const only = await cluster.worker('only');
    const run = nexaInBackground(cluster.home, [
      'run',
      '--sandbox',
      'process',
      '--retries',
      '0',
      '--',
      'sh',
      '-c',
      'echo started; sleep 30',
    ]);
    const taskId = await cluster.nextTask();
    await cluster.observer.waitForEvent(taskId, output('started'));
    only.signal('SIGKILL');
    const result = await run.result;
    expect(result.exitCode).toBe(125);
    expect(result.stdout).toBe('started\n');
    expect(result.stderr).toBe(
      `nexa: task ${taskId} failed: its worker was lost and it had no attempts left (see --retries)\n`,
    );
    expect(await cluster.observer.task(taskId)).toMatchObject({
      status: 'failed',
      reason: 'worker_lost',
      attempt: 1,
    });
  });

  it('a worker frozen past its lease (SIGSTOP) loses its task, and after SIGCONT never writes into the new attempt', async () => {
    // Both up before the task exists; the scheduler picks the worker with the most free slots: frozen.
    const frozen = await cluster.worker('frozen', ['--capacity', '2']);
    await cluster.worker('awake', ['--capacity', '1']);
    const submitted = await cluster.observer.api.tasks.submit.mutate({
      sandbox: 'process',
      // The frozen copy's sleep ends while it is frozen (a lease is 2 s), so on waking it has output to report.
      command: ['sh', '-c', 'echo "begin $NEXA_ATTEMPT"; sleep 1.5; echo "end $NEXA_ATTEMPT"'],
    });
    await cluster.observer.waitForEvent(submitted.id, output('begin 1'));
    frozen.signal('SIGSTOP');
    await cluster.observer.waitForEvent(submitted.id, output('begin 2'));
    frozen.signal('SIGCONT');
    // On waking it either tries to report its copy's output and is refused, or is told to stop that copy.
    await frozen.waitFor(/is no longer ours|runs elsewhere now/);
    const done = await cluster.observer.waitForTask(submitted.id, (t) => t.status === 'succeeded');
    expect(done.attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'lost'],
      [2, 'succeeded'],
    ]);
    const log = await nexa(cluster.home, ['logs', submitted.id]);
    expect(log.stdout).toBe('begin 1\nbegin 2\nend 2\n');
    const events = await cluster.observer.api.events.list.query({ taskId: submitted.id });
    const requeuedAt = events.findIndex((e) => e.kind === 'status' && e.status === 'queued');
    expect(events.slice(requeuedAt + 1).every((e) => e.attempt === 2)).toBe(true);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, index) => index + 1));
  });

  it('a worker stopped with SIGTERM lets short tasks finish and hands long ones back', async () => {
    const leaving = await cluster.worker('leaving', ['--shutdown-timeout', '2s']);
    const short = await cluster.observer.api.tasks.submit.mutate({
      sandbox: 'process',
      command: ['sh', '-c', 'echo short; sleep 0.5; echo short-done'],
    });
    const long = await cluster.observer.api.tasks.submit.mutate({
      sandbox: 'process',
      command: ['sh', '-c', 'echo "long $NEXA_ATTEMPT"; sleep 30'],
    });
    await cluster.observer.waitForEvent(short.id, output('short'));
    await cluster.observer.waitForEvent(long.id, output('long 1'));
    await cluster.worker('staying');
    expect(await leaving.stop('SIGTERM')).toBe(0);
    expect(leaving.log).toMatch(/handing 1 task\(s\) back/);
    expect(await cluster.observer.waitForTask(short.id, (t) => t.status === 'succeeded')).toMatchObject({
      attempt: 1,
    });
    await cluster.observer.waitForEvent(long.id, output('long 2'));
    const task = await cluster.observer.task(long.id);
    expect(task.attempts.map((a) => a.status)).toEqual(['handed_back', 'running']);
    expect(task.maxAttempts).toBe(3); // handing back used up no retry
    await cluster.observer.api.tasks.cancel.mutate({ id: long.id });
  });

  it('a worker whose coordinator is gone still stops promptly on SIGTERM', async () => {
    const orphan = await cluster.worker('orphan');
    await cluster.server.stop('SIGKILL');
    const started = Date.now();
    expect(await orphan.stop('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
