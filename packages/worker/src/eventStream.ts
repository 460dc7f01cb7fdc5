import type { TaskEvent, TaskEventBody } from '@nexa/core';
import { Redactor, type StreamRedactor } from '@nexa/core';
import type { EventSink } from './agents/index.js';
import { EventSpool } from './eventSpool.js';

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
  /** Where unacknowledged events go once memory holds `spillAtChars` of them; none: keep them in memory. */
  spoolPath?: string;
  maxEventChars?: number;
  maxBatchChars?: number;
  maxBatchEvents?: number;
  spillAtChars?: number;
  /** Unacknowledged characters (in memory, or on disk with a spool) above which `emit` asks the producer to pause. */
  highWaterChars?: number;
}

const sizeOf = (event: TaskEventBody) => (event.kind === 'output' ? event.data.length : 64);
const sizeOfAll = (events: readonly TaskEventBody[]) =>
  events.reduce((total, event) => total + sizeOf(event), 0);

/**
 * A task's outgoing event log. Each event gets the next `seq`; events are sent
 * in batches with at most one batch in flight: an idle stream sends at once
 * (low latency), a busy one accumulates while waiting for the ack (high
 * throughput). Consecutive output of the same stream merges into one event.
 * Failed sends are retried with backoff until acked or fatal, so a
 * coordinator restart loses nothing. When the coordinator is away for long,
 * unacknowledged events spill to a spool file instead of growing memory, and
 * the task keeps running; only a full spool pauses it.
 */
export class TaskEventStream implements EventSink {
  private nextSeq: number;
  private pending: TaskEvent[] = [];
  /** Characters of events held in memory, including a batch in flight from memory. */
  private memoryChars = 0;
  private readonly spool: EventSpool | undefined;
  private sending: Promise<void> | null = null;
  private linger: NodeJS.Timeout | undefined;
  private writableWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private fatal: unknown = null;
  private redactor = new Redactor([]);
  /** Per output stream, what its redactor holds back (a secret may continue in the next chunk). */
  private readonly outputRedactors = new Map<string, StreamRedactor>();
  private readonly limits: Required<Omit<EventStreamOptions, 'send' | 'isFatal' | 'onFatal' | 'spoolPath'>>;

  constructor(
    readonly taskId: string,
    readonly attempt: number,
    firstSeq: number,
    private readonly options: EventStreamOptions,
  ) {
    this.nextSeq = firstSeq;
    this.spool = options.spoolPath ? new EventSpool(options.spoolPath) : undefined;
    this.limits = {
      maxEventChars: options.maxEventChars ?? 64 * 1024,
      maxBatchChars: options.maxBatchChars ?? 512 * 1024,
      maxBatchEvents: options.maxBatchEvents ?? 1000,
      spillAtChars: options.spillAtChars ?? 1024 * 1024,
      highWaterChars: options.highWaterChars ?? (this.spool ? 1024 * 1024 * 1024 : 8 * 1024 * 1024),
    };
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** True once the coordinator refused this attempt for good. */
  get failed(): boolean {
    return this.fatal !== null;
  }

  /** Unacknowledged characters: in memory, or in the spool when there is one. */
  private get backlog(): number {
    return this.spool ? this.spool.size + this.memoryChars : this.memoryChars;
  }

  /**
   * From now on, secret values are replaced in every event before it is
   * queued, so they are neither sent nor spooled to disk (see redact.ts).
   */
  redactWith(redactor: Redactor): void {
    this.redactor = redactor;
  }

  /**
   * The event as it may leave the worker, or null when nothing of it may go
   * yet (output that may be the start of a secret waits for the next chunk).
   * Anything else first lets out what the output streams held back, so the
   * order of the log stays the order of events.
   */
  private redacted(body: TaskEventBody): TaskEventBody | null {
    if (!this.redactor.active) return body;
    if (body.kind === 'output') {
      const stream = this.outputRedactors.get(body.stream) ?? this.redactor.stream();
      this.outputRedactors.set(body.stream, stream);
      const data = stream.push(body.data);
      return data ? { ...body, data } : null;
    }
    this.releaseHeldOutput();
    return this.redactor.redactDeep(body);
  }

  /** Queues what the output redactors held back: the end of the stream, or another event, came. */
  private releaseHeldOutput(): void {
    for (const [name, stream] of this.outputRedactors) {
      const data = stream.end();
      if (data) this.queue({ kind: 'output', stream: name, data } as TaskEventBody);
    }
  }

  /**
   * Emits an event but lets it wait up to `lingerMs` for company: the next
   * event sends both at once. A task's `running` status travels with its first
   * output this way, instead of costing the output a round trip.
   */
  emitLingering(event: TaskEventBody, lingerMs: number): void {
    const body = this.redacted(event);
    if (!body) return;
    if (this.fatal || this.sending || this.linger) {
      this.queue(body);
      return;
    }
    this.hold(body);
    this.linger = setTimeout(() => this.release(), lingerMs);
  }

  private release(): void {
    clearTimeout(this.linger);
    this.linger = undefined;
    this.sending ??= this.flush();
  }

  emit(event: TaskEventBody): boolean {
    if (this.fatal) return true; // nobody will read it; let the producer run down
    const body = this.redacted(event);
    return body ? this.queue(body) : this.backlog < this.limits.highWaterChars;
  }

  private queue(body: TaskEventBody): boolean {
    if (this.fatal) return true;
    if (this.spool && !this.spool.isEmpty) {
      // While the spool holds anything, newer events go after it, keeping the order.
      this.spool.append([{ ...body, seq: this.nextSeq++, at: Date.now() } as TaskEvent]);
    } else {
      this.hold(body);
      if (this.spool && this.memoryChars >= this.limits.spillAtChars) this.spill();
    }
    this.release();
    return this.backlog < this.limits.highWaterChars;
  }

  private hold(body: TaskEventBody): void {
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
    this.memoryChars += sizeOf(body);
  }

  /** Moves what waits in memory to the spool (a batch already in flight stays where it is). */
  private spill(): void {
    this.spool?.append(this.pending);
    this.memoryChars -= sizeOfAll(this.pending);
    this.pending = [];
  }

  writable(): Promise<void> {
    if (this.fatal || this.backlog < this.limits.highWaterChars) return Promise.resolve();
    return new Promise((resolve) => this.writableWaiters.push(resolve));
  }

  /** Resolves once every event emitted so far is acked (or the stream failed for good). */
  drained(): Promise<void> {
    if (!this.fatal) this.releaseHeldOutput();
    if (this.linger) this.release();
    if (!this.sending) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops what is left (the attempt is over or no longer ours) and removes the spool file. */
  close(): void {
    clearTimeout(this.linger);
    this.linger = undefined;
    this.pending = [];
    this.spool?.close();
  }

  private takeFromMemory(): TaskEvent[] {
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
      while (!this.fatal) {
        // The spool only ever holds events newer than a batch taken from memory, so it goes after.
        const fromSpool = this.spool !== undefined && !this.spool.isEmpty;
        const events = fromSpool
          ? (this.spool as EventSpool).peek(this.limits.maxBatchChars, this.limits.maxBatchEvents)
          : this.takeFromMemory();
        if (events.length === 0) break;
        if (!(await this.sendWithRetry(events))) break;
        if (fromSpool) this.spool?.ack();
        else this.memoryChars -= sizeOfAll(events);
        if (this.backlog < this.limits.highWaterChars) this.wake(this.writableWaiters);
      }
    } finally {
      this.sending = null;
      if (this.fatal) {
        this.close();
        this.wake(this.writableWaiters);
      }
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
