import { describe, expect, it } from 'vitest';
import { LeaseBook } from './leaseBook.js';

describe('the lease book, as task tokens ask it', () => {
  it('holds an attempt only until a write starts ending it, and never another attempt', () => {
    const book = new LeaseBook();
    book.hold('t-1', 'w-1', 2, Date.now() + 10_000);
    expect(book.holdsAttempt('t-1', 2)).toBe(true);
    expect(book.holdsAttempt('t-1', 1)).toBe(false); // an older attempt's token
    expect(book.holdsAttempt('t-2', 2)).toBe(false);
    book.ending('t-1'); // the write that ends it has not committed: only the database knows
    expect(book.holdsAttempt('t-1', 2)).toBe(false);
    expect(book.heldBy('w-1')).toBe(1); // the slot is still taken until the task is released
    book.release('t-1');
    expect(book.heldBy('w-1')).toBe(0);
    book.hold('t-1', 'w-1', 3, Date.now() + 10_000); // the next attempt, on the same worker
    expect(book.holdsAttempt('t-1', 3)).toBe(true);
    book.releaseWorker('w-1');
    expect(book.holdsAttempt('t-1', 3)).toBe(false);
  });
});
