import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './asyncQueue.js';

describe('AsyncQueue', () => {
  it('delivers in order to a waiting reader and drains after end', async () => {
    const queue = new AsyncQueue<number>();
    const first = queue.next();
    queue.push(1);
    queue.push(2);
    queue.end();
    expect(await first).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: 2, done: false });
    expect((await queue.next()).done).toBe(true);
  });

  it('drops everything and ends when a bounded queue overflows', async () => {
    const queue = new AsyncQueue<number>(2);
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(queue.overflowed).toBe(true);
    expect(queue.size).toBe(0);
    expect((await queue.next()).done).toBe(true);
  });
});
