import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import type { TaskEvent } from '@nexa/core';

/**
 * A task's unacknowledged events on disk, oldest first: an append-only file
 * of JSON lines with a read offset. Events are appended when they come and
 * read back in batches; `ack` moves past a batch once the coordinator has
 * stored it. The file is removed once everything in it is acknowledged.
 */
export class EventSpool {
  private fd: number | undefined;
  private writeOffset = 0;
  private readOffset = 0;
  /** Events read but not yet acknowledged, and where the read ended. */
  private peeked: { events: TaskEvent[]; endOffset: number } | undefined;

  constructor(private readonly path: string) {}

  /** Bytes written and not yet acknowledged. */
  get size(): number {
    return this.writeOffset - this.readOffset;
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  append(events: readonly TaskEvent[]): void {
    if (events.length === 0) return;
    this.fd ??= openSync(this.path, 'w+', 0o600);
    const text = `${events.map((event) => JSON.stringify(event)).join('\n')}\n`;
    this.writeOffset += writeSync(this.fd, text, this.writeOffset);
  }

  /** The next events after the last acknowledged ones, up to about `maxBytes` (at least one). */
  peek(maxBytes: number, maxEvents: number): TaskEvent[] {
    if (this.peeked) return this.peeked.events;
    if (this.fd === undefined || this.isEmpty) return [];
    const length = Math.min(this.size, Math.max(maxBytes, 64 * 1024));
    let buffer = Buffer.alloc(length);
    let read = readSync(this.fd, buffer, 0, length, this.readOffset);
    let text = buffer.subarray(0, read).toString('utf8');
    while (!text.includes('\n') && this.readOffset + read < this.writeOffset) {
      // One event larger than the read: read the rest of its line.
      const more = Buffer.alloc(Math.min(this.size - read, length));
      const extra = readSync(this.fd, more, 0, more.length, this.readOffset + read);
      buffer = Buffer.concat([buffer.subarray(0, read), more.subarray(0, extra)]);
      read += extra;
      text = buffer.toString('utf8');
    }
    const lines = text.slice(0, text.lastIndexOf('\n')).split('\n').slice(0, maxEvents);
    const consumed = lines.reduce((total, line) => total + Buffer.byteLength(line) + 1, 0);
    this.peeked = {
      events: lines.map((line) => JSON.parse(line) as TaskEvent),
      endOffset: this.readOffset + consumed,
    };
    return this.peeked.events;
  }

  /** The peeked batch is stored: move past it, and drop the file once it is all acknowledged. */
  ack(): void {
    if (!this.peeked) return;
    this.readOffset = this.peeked.endOffset;
    this.peeked = undefined;
    if (this.isEmpty) this.close();
  }

  /** Drops everything (the attempt is over or no longer ours). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.writeOffset = 0;
    this.readOffset = 0;
    this.peeked = undefined;
    rmSync(this.path, { force: true });
  }
}
