import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentRun, type ClaudeCluster, describeRun, startClaudeCluster } from './agents.js';
import { nexa, resultTaskId } from './harness.js';
import { agentTurns } from './modelRequests.js';
import { bwrapWorks } from './walls.js';

/**
 * `nexa continue ID "more"`: a finished Claude Code task picks up its own
 * session (claude --resume) in the working copy it left, on the worker that
 * kept it; a task whose agent cannot resume is refused in one line.
 */

if (!bwrapWorks && process.env.CI) throw new Error('CI must run the continue test in bubblewrap');
const sandbox = bwrapWorks ? 'bwrap' : 'process';

let cluster: ClaudeCluster;
beforeAll(async () => {
  cluster = await startClaudeCluster();
  await cluster.agentWorker('keeper');
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describe('nexa continue', () => {
  it('resumes a finished Claude Code task’s session in the same working copy', async () => {
    const first = await nexa(
      cluster.home,
      agentRun(
        ['first attempt (continue-1a9f)', 'run: echo made-by-attempt-one > made.txt', 'say: made it'].join(
          '\n',
        ),
        { sandbox, flags: ['--approve', 'all', '--json'] },
      ),
    );
    expect(first.exitCode, describeRun(first)).toBe(0);
    const taskId = resultTaskId(first);

    const continued = await nexa(cluster.home, [
      'continue',
      taskId,
      ['now read it back (continue-2b7e)', 'run: cat made.txt', 'say: read it'].join('\n'),
    ]);
    expect(continued.exitCode, describeRun(continued)).toBe(0);
    expect(continued.stdout).toContain(`${taskId} queued to continue`);
    const done = await cluster.observer.waitForTask(
      taskId,
      (task) => task.attempt === 2 && ['succeeded', 'failed'].includes(task.status),
      120_000,
    );
    const logs = await nexa(cluster.home, ['logs', taskId]);
    expect(done.status, logs.stdout + logs.stderr).toBe('succeeded');
    expect(done.workerName).toBe('keeper');

    // The resumed request carries the first attempt's conversation, then the new prompt.
    const resumed = agentTurns(cluster.fake).find((turn) =>
      turn.messages.some((m) => m.text.includes('continue-2b7e')),
    );
    if (!resumed) throw new Error('no request carried the continued prompt');
    const texts = resumed.messages.map((m) => m.text);
    const firstPrompt = texts.findIndex((text) => text.includes('continue-1a9f'));
    const secondPrompt = texts.findIndex((text) => text.includes('continue-2b7e'));
    expect(firstPrompt).toBeGreaterThanOrEqual(0);
    expect(secondPrompt).toBeGreaterThan(firstPrompt);
    expect(texts.slice(firstPrompt, secondPrompt).join('\n')).toContain('made it');

    // The file the first attempt made was still there for the second to read.
    expect(logs.stdout).toContain('read it (last tool result: made-by-attempt-one)');
  }, 240_000);

  it('refuses a shell task in one line, saying which agents can be continued', async () => {
    const ran = await nexa(cluster.home, ['run', '--sandbox', sandbox, '--json', '--', 'true']);
    expect(ran.exitCode, describeRun(ran)).toBe(0);
    const refused = await nexa(cluster.home, ['continue', resultTaskId(ran), 'more']);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/tasks can be continued; shell tasks cannot/);
    expect(refused.stderr.trim().split('\n')[0]).toMatch(/shell tasks cannot/);
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 60_000);
});
