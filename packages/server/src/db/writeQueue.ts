/**
 * Runs write operations one at a time. The libSQL file client pools
 * connections, and two overlapping write transactions fail with SQLITE_BUSY,
 * so every write in the coordinator goes through one of these.
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  run<T>(operation: () => Promise<T>): Promise<T> {
    const write = async () => {
      try {
        return await operation();
      } finally {
        for (const listener of this.listeners) listener();
      }
    };
    const result = this.tail.then(write, write);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Calls `listener` after every write, committed or not (it must be cheap
   * and must not throw): how live feeds learn that something may have changed
   * without every write path having to tell them.
   */
  afterEachWrite(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once everything queued so far has finished. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
