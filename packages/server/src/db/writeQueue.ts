/**
 * Runs write operations one at a time. The libSQL file client pools
 * connections, and two overlapping write transactions fail with SQLITE_BUSY,
 * so every write in the coordinator goes through one of these.
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.tail.then(operation, operation);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once everything queued so far has finished. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
