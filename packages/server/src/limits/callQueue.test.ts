import { describe, expect, it } from 'vitest';
import { CallQueue } from './callQueue.js';

describe('call admission', () => {
  it('runs a burst beyond its concurrency a moment later, in order, never more at once than allowed', async () => {
    const queue = new CallQueue(2, 10, 1000);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const release = await queue.admit();
        running++;
        peak = Math.max(peak, running);
        order.push(i);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        release();
      }),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('sheds at once when the line is full, and a waiter whose wait runs out', async () => {
    const queue = new CallQueue(1, 1, 50);
    const held = await queue.admit();
    const waiting = queue.admit();
    await expect(queue.admit()).rejects.toThrow('the coordinator is busy');
    await expect(waiting).rejects.toThrow('the coordinator is busy');
    held();
    // The slot is free again, and the timed-out waiter is gone from the line.
    const next = await queue.admit();
    next();
    next(); // releasing twice gives back one slot only
    const a = await queue.admit();
    const b = queue.admit();
    a();
    (await b)();
  });
});
