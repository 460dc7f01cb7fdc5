import { TaskSpec } from '@nexa/core';
import { describe, expect, it } from 'vitest';
import { TaskEventStream } from './eventStream.js';
import { TaskRun } from './taskRun.js';

const VALUE = 'sk-store-5e1f0a77c3';

function runOf(spec: TaskSpec, secrets: Record<string, string>) {
  const sent: Array<Record<string, unknown>> = [];
  const events = new TaskEventStream('t-1', 1, 1, {
    send: async (batch) => {
      sent.push(...(batch.events as never[]));
    },
    isFatal: () => false,
  });
  const run = new TaskRun({ taskId: 't-1', attempt: 1, firstSeq: 1, spec, secrets }, events, {
    workRoot: '/nonexistent',
    sandboxes: new Map(),
    programs: { program: () => [] } as never,
    agentEnv: {},
    requestApproval: () => new Promise(() => {}),
  });
  return { run, events, sent };
}

describe('a task’s secrets from the store', () => {
  it('are redacted from its output whatever their name, whole or split across writes', async () => {
    const spec = TaskSpec.parse({ command: ['true'], secrets: ['API_KEY'] });
    const { run, events, sent } = runOf(spec, { API_KEY: VALUE });
    events.emit({ kind: 'output', stream: 'stdout', data: `${VALUE}\n` });
    for (let cut = 1; cut < VALUE.length; cut++) {
      events.emit({ kind: 'output', stream: 'stdout', data: `[${VALUE.slice(0, cut)}` });
      events.emit({ kind: 'output', stream: 'stdout', data: `${VALUE.slice(cut)}]` });
    }
    events.emit({ kind: 'error', message: `leaked ${VALUE}` });
    await events.drained();
    const text = sent.map((event) => event.data ?? event.message).join('');
    expect(text).not.toContain(VALUE);
    expect(text.split('[redacted:API_KEY]')).toHaveLength(VALUE.length + 2);
    run.stop('shutdown');
  });

  it('a secret the coordinator sent no value for fails the task, naming it, before anything runs', async () => {
    const spec = TaskSpec.parse({ command: ['true'], secrets: ['API_KEY', 'NPM_TOKEN'] });
    const { run, sent } = runOf(spec, { API_KEY: VALUE });
    expect(await run.run()).toBe('reported');
    expect(sent.at(-1)).toMatchObject({
      kind: 'status',
      status: 'failed',
      reason: expect.stringMatching(/^the coordinator sent no value for secret NPM_TOKEN /),
    });
  });
});
