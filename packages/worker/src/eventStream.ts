import type { TaskEvent, TaskEventBody } from '@nexa/core';
import type { EventSink } from './agents/index.js';

export interface EventBatch {
  taskId: string;
  attempt: number;
  events: TaskEvent[];
}

export interface EventStreamOptions {
  /** Sends one batch and resolves once the coordinator has stored it. */
  send: (batch: EventBatch) => Promise<unknown>;
  /** True for errors that retrying cannot fix (the attempt is no longer ours). */
  isFatal: (error: unknown) => boolean;
  onFatal?: (error: unknown) => void;
  maxEventChars?: number;
  maxBatchChars?: number;
  maxBatchEvents?: number;
  /** Unsent characters above which `emit` asks the producer to pause. */
  highWaterChars?: number;
}

const sizeOf = (event: TaskEventBody) => (event.kind === 'output' ? event.data.length : 64);

/**
 * A task's outgoing event log. Each event gets the next `seq`; events are sent
 * in batches with at most one batch in flight: an idle stream sends at once
 * (low latency), a busy one accumulates while waiting for the ack (high
 * throughput). Consecutive output of the same stream merges into one event.
 * Failed sends are retried with backoff until acked or fatal.
 */
export class TaskEventStream implements EventSink {
  private nextSeq: number;
  private pending: TaskEvent[] = [];
  private unackedChars = 0;
  private sending: Promise<void> | null = null;
  private writableWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private fatal: unknown = null;
  private readonly limits: Required<Omit<EventStreamOptions, 'send' | 'isFatal' | 'onFatal'>>;

  constructor(
    readonly taskId: string,
    readonly attempt: number,
    firstSeq: number,
    private readonly options: EventStreamOptions,
  ) {
    this.nextSeq = firstSeq;
    this.limits = {
      maxEventChars: options.maxEventChars ?? 64 * 1024,
      maxBatchChars: options.maxBatchChars ?? 512 * 1024,
      maxBatchEvents: options.maxBatchEvents ?? 1000,
      highWaterChars: options.highWaterChars ?? 8 * 1024 * 1024,
    };
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** True once the coordinator refused this attempt for good. */
  get failed(): boolean {
    return this.fatal !== null;
  }

  emit(body: TaskEventBody): boolean {
    if (this.fatal) return true; // nobody will read it; let the producer run down
    const last = this.pending.at(-1);
    if (
      body.kind === 'output' &&
      last?.kind === 'output' &&
      last.stream === body.stream &&
      last.data.length + body.data.length <= this.limits.maxEventChars
    ) {
      last.data += body.data;
    } else {
      this.pending.push({ ...body, seq: this.nextSeq++, at: Date.now() } as TaskEvent);
    }
    this.unackedChars += sizeOf(body);
    this.sending ??= this.flush();
    return this.unackedChars < this.limits.highWaterChars;
  }

  writable(): Promise<void> {
    if (this.fatal || this.unackedChars < this.limits.highWaterChars) return Promise.resolve();
    return new Promise((resolve) => this.writableWaiters.push(resolve));
  }

  /** Resolves once every event emitted so far is acked (or the stream failed for good). */
  drained(): Promise<void> {
    if (!this.sending) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private takeBatch(): TaskEvent[] {
    const batch: TaskEvent[] = [];
    let chars = 0;
    while (this.pending.length > 0 && batch.length < this.limits.maxBatchEvents) {
      const event = this.pending[0] as TaskEvent;
      const size = sizeOf(event);
      if (batch.length > 0 && chars + size > this.limits.maxBatchChars) break;
      batch.push(event);
      chars += size;
      this.pending.shift();
    }
    return batch;
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0 && !this.fatal) {
        const events = this.takeBatch();
        const sent = await this.sendWithRetry(events);
        if (!sent) break;
        for (const event of events) this.unackedChars -= sizeOf(event);
        if (this.unackedChars < this.limits.highWaterChars) this.wake(this.writableWaiters);
      }
    } finally {
      this.sending = null;
      if (this.fatal) this.wake(this.writableWaiters);
      this.wake(this.idleWaiters);
    }
  }

  private async sendWithRetry(events: TaskEvent[]): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.send({ taskId: this.taskId, attempt: this.attempt, events });
        return true;
      } catch (error) {
        if (this.options.isFatal(error)) {
          this.fatal = error;
          this.pending = [];
          this.options.onFatal?.(error);
          return false;
        }
        const backoff = Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2);
        await new Promise((resolve) => setTimeout(resolve, backoff));
      }
    }
  }

  private wake(waiters: (() => void)[]): void {
    for (const resolve of waiters.splice(0)) resolve();
  }
}
