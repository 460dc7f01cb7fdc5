// One simulated task attempt: the event log a real worker's TaskEventStream
// would send for a command that prints a line every 1/rate seconds. Seqs start
// at the assignment's firstSeq; at most one append is in flight; lines that
// arrive meanwhile merge into one output event of the next append, as the real
// worker merges consecutive output. A failed append is retried with the real
// worker's backoff until acked or refused for good.

import { performance } from 'node:perf_hooks';
import { NexaError } from '@nexa/core';
import { nexaCode } from '@nexa/core/client';

/** The real worker's fatal codes (worker.ts): the attempt is no longer ours. */
const fatalCodes = new Set(['conflict', 'not_found', 'forbidden', 'unauthorized', 'invalid_input']);

const now = () => performance.timeOrigin + performance.now();

export class SimTask {
  /** Lines owed but not yet generated (fractions carry over between ticks). */
  owed = Math.random(); // a random phase, so tasks do not all print on the same tick
  lineNumber = 0;
  /** Output waiting for the next append, and when its oldest line was printed. */
  pendingData = '';
  pendingSince = 0;
  inFlight = false;
  ended = false;

  /**
   * @param {{taskId: string, attempt: number, firstSeq: number}} assignment
   * @param {(batch: object) => Promise<unknown>} send events.append
   * @param {import('./simStats.mjs').SimStats} stats
   */
  constructor(assignment, send, stats) {
    this.taskId = assignment.taskId;
    this.attempt = assignment.attempt;
    this.nextSeq = assignment.firstSeq;
    this.send = send;
    this.stats = stats;
  }

  /** The real worker's first event; resolves once the coordinator stored it (the task is running). */
  start() {
    return this.append([{ kind: 'status', status: 'running' }]);
  }

  /** Prints the lines due after `seconds` at `linesPerSecond`, and sends them if nothing is in flight. */
  tick(seconds, linesPerSecond) {
    this.owed += seconds * linesPerSecond;
    while (this.owed >= 1) {
      this.owed -= 1;
      this.lineNumber++;
      if (this.pendingData === '') this.pendingSince = now();
      this.pendingData += `${this.taskId} line ${this.lineNumber}: compiling module ${this.lineNumber % 97}\n`;
    }
    this.flush();
  }

  flush() {
    if (this.inFlight || this.ended || this.pendingData === '') return;
    const since = this.pendingSince;
    const data = this.pendingData;
    this.pendingData = '';
    void this.append([{ kind: 'output', stream: 'stdout', data }], since).then(() => this.flush());
  }

  /** The attempt was cancelled: its final status, as the real worker sends once the process is gone. */
  cancel() {
    this.pendingData = '';
    void this.append([{ kind: 'status', status: 'cancelled', exitCode: null }]).finally(() => {
      this.ended = true;
    });
  }

  /** Sends one batch with retries; true once acked, false once refused for good. */
  async append(bodies, printedAt = now()) {
    const events = bodies.map((body) => ({ ...body, seq: this.nextSeq++, at: Date.now() }));
    const lines = bodies.reduce((total, body) => total + (body.data?.split('\n').length - 1 || 0), 0);
    this.inFlight = true;
    const sentAt = now();
    try {
      for (let retry = 0; !this.ended; retry++) {
        try {
          await this.send({ taskId: this.taskId, attempt: this.attempt, events });
          const ackedAt = now();
          this.stats.acked(ackedAt - sentAt, lines > 0 ? ackedAt - printedAt : undefined, lines);
          return true;
        } catch (error) {
          const code = (error instanceof NexaError ? error.code : nexaCode(error)) ?? 'transport';
          this.stats.failed(code);
          if (fatalCodes.has(code)) {
            this.ended = true;
            return false;
          }
          const backoff = Math.min(2000, 50 * 2 ** retry) * (0.5 + Math.random() / 2);
          await new Promise((resolve) => setTimeout(resolve, backoff));
        }
      }
      return false;
    } finally {
      this.inFlight = false;
    }
  }
}
