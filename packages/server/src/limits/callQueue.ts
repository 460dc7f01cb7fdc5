import { limits, NexaError } from '@nexa/core';

/**
 * A call refused before it ran, so sending it again is safe, mutations
 * included: the only `unavailable` that carries Retry-After (http/listen.ts),
 * which is what the CLI's client retries on.
 */
export class CoordinatorBusy extends NexaError {
  constructor() {
    super('unavailable', 'the coordinator is busy', { hint: `retry in ${limits.load.retryAfterSeconds} s` });
  }
}

export const busy = (): NexaError => new CoordinatorBusy();

interface Waiter {
  grant(): void;
  timer: NodeJS.Timeout;
}

/**
 * Admission for calls: at most `concurrency` run at once; a burst beyond that
 * waits in a short FIFO, each for at most `maxWaitMs`, and is shed (`busy`)
 * when the line is full or its wait runs out. A burst a client legitimately
 * makes (fifty pollers at once) is served a moment later; a flood is told to
 * retry at once instead of piling up work the coordinator cannot finish.
 */
export class CallQueue {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
    private readonly maxWaitMs: number,
  ) {}

  /** Resolves with the release of a slot, or rejects with `busy`. */
  async admit(): Promise<() => void> {
    if (this.running < this.concurrency && this.waiting.length === 0) {
      this.running++;
      return this.release();
    }
    if (this.waiting.length >= this.maxWaiting) throw busy();
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(busy());
        }, this.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
    return this.release(); // the slot was handed over by the call that ended
  }

  private release(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.running--;
    };
  }
}
