// What one simulator process measured since it was last asked: every append's
// acknowledgement latency (first send → ack, retries included), how long a
// printed line waited until stored, and what the coordinator refused.
export class SimStats {
  ackMs = [];
  lineMs = [];
  appends = 0;
  lines = 0;
  /** Failed append attempts by Nexa error code ('transport' when none came). */
  errors = {};

  acked(ackMs, lineMs, lines) {
    this.appends++;
    this.lines += lines;
    this.ackMs.push(Math.round(ackMs * 10) / 10);
    if (lineMs !== undefined) this.lineMs.push(Math.round(lineMs * 10) / 10);
  }

  failed(code) {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  /** Everything since the last take, and a fresh start. */
  take() {
    const taken = {
      ackMs: this.ackMs,
      lineMs: this.lineMs,
      appends: this.appends,
      lines: this.lines,
      errors: this.errors,
    };
    this.ackMs = [];
    this.lineMs = [];
    this.appends = 0;
    this.lines = 0;
    this.errors = {};
    return taken;
  }
}
