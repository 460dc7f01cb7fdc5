import type { TaskEvent } from '@nexa/core';
import { describe, expect, it } from 'vitest';
import { type EventBatch, TaskEventStream } from './eventStream.js';

/** A coordinator stand-in whose acks the test releases by hand. */
function manualCoordinator() {
  const batches: EventBatch[] = [];
  const acks: (() => void)[] = [];
  return {
    batches,
    send: (batch: EventBatch) => {
      batches.push(structuredClone(batch));
      return new Promise<void>((resolve) => acks.push(resolve));
    },
    ackNext: () => acks.shift()?.(),
    pendingAcks: () => acks.length,
  };
}

const out = (data: string) => ({ kind: 'output', stream: 'stdout', data }) as const;

describe('TaskEventStream', () => {
  it('sends the first event at once and batches what arrives while a batch is in flight', async () => {
    const coordinator = manualCoordinator();
    const stream = new TaskEventStream('t-1', 1, 1, { send: coordinator.send, isFatal: () => false });
    stream.emit({ kind: 'status', status: 'running' });
    expect(coordinator.batches).toHaveLength(1); // no timer: an idle stream sends immediately
    stream.emit(out('a'));
    stream.emit(out('b'));
    stream.emit({ kind: 'output', stream: 'stderr', data: 'c' });
    expect(coordinator.batches).toHaveLength(1); // one batch in flight at a time
    coordinator.ackNext();
    await new Promise((resolve) => setImmediate(resolve));
    expect(
      coordinator.batches[1]?.events.map((e: TaskEvent) => [e.seq, e.kind === 'output' ? e.data : e.kind]),
    ).toEqual([
      [2, 'ab'], // consecutive output of one stream merges
      [3, 'c'],
    ]);
    coordinator.ackNext();
    await stream.drained();
    expect(stream.lastSeq).toBe(3);
  });

  it('retries a failed send with the same seqs until it is acked', async () => {
    let calls = 0;
    const seen: number[][] = [];
    const stream = new TaskEventStream('t-1', 1, 5, {
      send: async (batch) => {
        seen.push(batch.events.map((e) => e.seq));
        if (++calls < 3) throw new Error('connection lost');
      },
      isFatal: () => false,
    });
    stream.emit(out('x'));
    await stream.drained();
    expect(seen).toEqual([[5], [5], [5]]);
  });

  it('stops sending and unblocks the producer when the coordinator refuses the attempt', async () => {
    let fatal: unknown;
    const stream = new TaskEventStream('t-1', 1, 1, {
      send: async () => {
        throw new Error('not yours');
      },
      isFatal: () => true,
      onFatal: (error) => {
        fatal = error;
      },
      highWaterChars: 4,
    });
    expect(stream.emit(out('12345'))).toBe(false);
    await stream.writable();
    await stream.drained();
    expect(stream.failed).toBe(true);
    expect((fatal as Error).message).toBe('not yours');
  });

  it('asks the producer to pause above the high-water mark and resumes it after acks', async () => {
    const coordinator = manualCoordinator();
    const stream = new TaskEventStream('t-1', 1, 1, {
      send: coordinator.send,
      isFatal: () => false,
      highWaterChars: 10,
    });
    expect(stream.emit(out('0123456789'))).toBe(false);
    let resumed = false;
    const writable = stream.writable().then(() => {
      resumed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(resumed).toBe(false);
    coordinator.ackNext();
    await writable;
    expect(resumed).toBe(true);
  });
});
