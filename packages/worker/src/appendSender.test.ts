import { NexaError, type TaskEvent } from '@nexa/core';
import { describe, expect, it } from 'vitest';
import { type AppendAnswer, type AppendBatch, appendSender } from './appendSender.js';

const batch = (taskId: string, seq: number): AppendBatch => ({
  taskId,
  attempt: 1,
  events: [{ kind: 'output', stream: 'stdout', data: 'x\n', seq, at: 1 } as TaskEvent],
});

describe('appendSender', () => {
  it('sends every task’s batch of one turn as one message, and answers each task on its own', async () => {
    const calls: AppendBatch[][] = [];
    const send = appendSender(async (batches) => {
      calls.push(batches);
      return batches.map(
        (b): AppendAnswer =>
          b.taskId === 'lost'
            ? { error: { code: 'conflict', message: 'attempt 1 of task lost is not held by this worker' } }
            : { ackedSeq: b.events.at(-1)?.seq ?? 0 },
      );
    });
    const results = await Promise.allSettled([
      send(batch('a', 3)),
      send(batch('lost', 1)),
      send(batch('b', 7)),
    ]);
    expect(calls.map((call) => call.map((b) => b.taskId))).toEqual([['a', 'lost', 'b']]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: { ackedSeq: 3 } });
    expect(results[2]).toEqual({ status: 'fulfilled', value: { ackedSeq: 7 } });
    const refused = (results[1] as PromiseRejectedResult).reason;
    // The same typed error a lone append gets, so the task's own retry rules apply.
    expect(refused).toBeInstanceOf(NexaError);
    expect(refused).toMatchObject({ code: 'conflict', message: /not held by this worker/ });
  });

  it('fails every batch of a message that did not get through, so each task retries', async () => {
    const send = appendSender(async () => {
      throw new Error('socket closed');
    });
    const results = await Promise.allSettled([send(batch('a', 1)), send(batch('b', 1))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('splits a turn with more than one message can carry', async () => {
    const sizes: number[] = [];
    const send = appendSender(async (batches) => {
      sizes.push(batches.length);
      return batches.map(() => ({ ackedSeq: 1 }));
    });
    await Promise.all(Array.from({ length: 300 }, (_, i) => send(batch(`t${i}`, 1))));
    expect(sizes).toEqual([256, 44]);
  });
});
