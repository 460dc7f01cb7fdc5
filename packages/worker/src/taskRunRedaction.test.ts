import { TaskSpec } from '@nexa/core';
import { describe, expect, it } from 'vitest';
import type { RequestApproval } from './approvalGate.js';
import { TaskEventStream } from './eventStream.js';
import { TaskRun } from './taskRun.js';

describe('a task run’s secrets', () => {
  it('are redacted from its approval requests and its events', async () => {
    const spec = TaskSpec.parse({ command: ['true'], env: { DEPLOY_TOKEN: 'tok-abcdef-123' } });
    const sent: unknown[] = [];
    const events = new TaskEventStream('t-1', 1, 1, {
      send: async (batch) => {
        sent.push(...batch.events);
      },
      isFatal: () => false,
    });
    const asked: Parameters<RequestApproval>[0][] = [];
    const run = new TaskRun({ taskId: 't-1', attempt: 1, firstSeq: 1, spec, secrets: {} }, events, {
      workRoot: '/nonexistent',
      sandboxes: new Map(),
      programs: { program: () => [] } as never,
      agentEnv: { PROVIDER_API_KEY: 'sk-provider-999' },
      requestApproval: async (request) => {
        asked.push(request);
        return new Promise(() => {}); // nobody answers in this test
      },
    });
    void run.approvals.ask({
      key: 'k-1',
      tool: 'Bash',
      action: 'run `curl -H "Authorization: tok-abcdef-123" -H "x: sk-provider-999"`',
      command: 'curl -H "Authorization: tok-abcdef-123"',
      risk: 'exec',
    } as never);
    await new Promise((resolve) => setImmediate(resolve));
    events.emit({ kind: 'output', stream: 'stdout', data: 'using sk-provider-999\n' });
    await events.drained();
    expect(asked).toHaveLength(1);
    expect(asked[0]?.key).toBe('k-1');
    expect(JSON.stringify([asked, sent])).not.toMatch(/tok-abcdef-123|sk-provider-999/);
    expect(asked[0]?.action).toContain('[redacted:DEPLOY_TOKEN]');
    expect(asked[0]?.action).toContain('[redacted:PROVIDER_API_KEY]');
    run.stop('shutdown');
  });
});
