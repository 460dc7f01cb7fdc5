import type { TaskEvent } from '@nexa/core';
import { Redactor } from '@nexa/core';
import { describe, expect, it } from 'vitest';
import { type EventBatch, TaskEventStream } from './eventStream.js';

function redactingStream() {
  const sent: TaskEvent[] = [];
  const stream = new TaskEventStream('t-1', 1, 1, {
    send: async (batch: EventBatch) => {
      sent.push(...structuredClone(batch.events));
    },
    isFatal: () => false,
  });
  stream.redactWith(new Redactor([{ name: 'API_TOKEN', value: 's3cr3tvalue' }]));
  return { stream, sent };
}

const shown = (events: TaskEvent[]) =>
  events.map((e) =>
    e.kind === 'output' ? `${e.stream}:${e.data}` : JSON.stringify(e).slice(0, 0) || e.kind,
  );

describe('TaskEventStream with a redactor', () => {
  it('redacts a secret split across chunks and lets the held tail out before the next other event', async () => {
    const { stream, sent } = redactingStream();
    stream.emit({ kind: 'output', stream: 'stdout', data: 'key: s3cr' });
    stream.emit({ kind: 'output', stream: 'stderr', data: 'err s3cr3tval' });
    stream.emit({ kind: 'output', stream: 'stdout', data: '3tvalue!' });
    stream.emit({ kind: 'output', stream: 'stdout', data: ' and s3c' });
    stream.emit({ kind: 'status', status: 'succeeded', exitCode: 0 });
    await stream.drained();
    const text = sent.map((e) => (e.kind === 'output' ? e.data : '')).join('');
    expect(text).not.toContain('s3cr3tvalue');
    // Consecutive stdout merges; what stderr held goes out before the status, in order.
    expect(shown(sent).join('|')).toBe(
      'stdout:key: |stderr:err |stdout:[redacted:API_TOKEN]! and s3c|stderr:s3cr3tval|status',
    );
    expect(sent.map((e) => e.seq)).toEqual(sent.map((_, i) => i + 1));
  });

  it('lets held output out when the stream is drained (the end of a run)', async () => {
    const { stream, sent } = redactingStream();
    stream.emit({ kind: 'output', stream: 'stdout', data: 'tail s3cr3t' });
    await stream.drained();
    expect(sent.map((e) => (e.kind === 'output' ? e.data : e.kind)).join('')).toBe('tail s3cr3t');
  });

  it('redacts every string of other events: messages, tool calls, errors', async () => {
    const { stream, sent } = redactingStream();
    stream.emit({ kind: 'agent_message', text: 'the token is s3cr3tvalue' } as never);
    stream.emit({ kind: 'error', message: 'curl: bad header s3cr3tvalue' });
    await stream.drained();
    expect(JSON.stringify(sent)).not.toContain('s3cr3tvalue');
    expect(JSON.stringify(sent)).toContain('[redacted:API_TOKEN]');
  });
});
