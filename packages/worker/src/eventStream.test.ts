import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('lets a lingering status travel with the first output, or alone once the linger ends', async () => {
    const coordinator = manualCoordinator();
    const stream = new TaskEventStream('t-1', 1, 1, { send: coordinator.send, isFatal: () => false });
    stream.emitLingering({ kind: 'status', status: 'running' }, 50);
    expect(coordinator.batches).toHaveLength(0);
    stream.emit(out('first'));
    expect(coordinator.batches[0]?.events.map((e) => e.kind)).toEqual(['status', 'output']);

    const quiet = manualCoordinator();
    const silent = new TaskEventStream('t-2', 1, 1, { send: quiet.send, isFatal: () => false });
    silent.emitLingering({ kind: 'status', status: 'running' }, 5);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(quiet.batches[0]?.events.map((e) => e.kind)).toEqual(['status']);
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

describe('TaskEventStream with a spool', () => {
  const spoolPath = () => join(mkdtempSync(join(tmpdir(), 'nexa-spool-')), 't-1-1.ndjson');

  it('keeps the task running through an outage by spilling to disk, then delivers everything in order', async () => {
    let coordinatorUp = false;
    const stored: TaskEvent[] = [];
    const path = spoolPath();
    const stream = new TaskEventStream('t-1', 1, 1, {
      send: async (batch) => {
        if (!coordinatorUp) throw new Error('connection refused');
        stored.push(...batch.events);
      },
      isFatal: () => false,
      spoolPath: path,
      spillAtChars: 100,
      highWaterChars: 1_000_000,
      maxEventChars: 10,
    });
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i}\n`);
    for (const line of lines) expect(stream.emit(out(line))).toBe(true); // never asked to pause
    expect(existsSync(path)).toBe(true); // the backlog is on disk, not in memory
    coordinatorUp = true;
    await stream.drained();
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(stored.map((e) => (e.kind === 'output' ? e.data : '')).join('')).toBe(lines.join(''));
    expect(existsSync(path)).toBe(false); // removed once all of it was acknowledged
  });

  it('pauses the producer only when the spool itself is full', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const stream = new TaskEventStream('t-1', 1, 1, {
      send: () => gate,
      isFatal: () => false,
      spoolPath: spoolPath(),
      spillAtChars: 10,
      highWaterChars: 2000, // bytes of spooled JSON: about ten of these events
    });
    let accepted = 0;
    while (stream.emit(out('x'.repeat(100)))) accepted++;
    expect(accepted).toBeGreaterThanOrEqual(5);
    expect(accepted).toBeLessThan(20);
    let resumed = false;
    const writable = stream.writable().then(() => {
      resumed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(resumed).toBe(false);
    release();
    await writable;
    await stream.drained();
    expect(resumed).toBe(true);
  });
});
