import { AsyncLocalStorage } from 'node:async_hooks';
import type { Client } from '@libsql/client';
import { NexaError } from '@nexa/core';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import type * as schema from './schema.js';

export type Db = LibSQLDatabase<typeof schema>;

/** What may change the database: only an operation the write queue runs is handed one. */
export interface Writer {
  /** Drizzle, for writes and for reads that must see them. */
  readonly db: Db;
  /** The raw client, for statements drizzle builds too slowly (the group commit's multi-row inserts). */
  readonly client: Client;
  /**
   * Runs `effect` once this operation has finished, outside it: what follows
   * a write (a scheduling pass, expiring a released task's requests) may
   * queue writes of its own, which inside the operation would wait for it.
   */
  afterward(effect: () => void): void;
}

/**
 * Which operations go first. `control` is everything a person or the
 * scheduler waits on (submits, assignments, status changes, decisions);
 * `bulk` is the group commit of output appends. A waiting control operation
 * always runs before the next bulk one, so dispatch waits behind at most the
 * one bulk commit already running, never behind thousands of appends.
 */
export type WriteLane = 'control' | 'bulk';

interface Queued {
  operation: (writer: Writer) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs write operations one at a time. The libSQL file client pools
 * connections, and two overlapping write transactions fail with SQLITE_BUSY,
 * so every write in the coordinator goes through here: an operation receives
 * the Writer, and only code holding one can write. Queueing a write from
 * inside an operation would wait for itself forever; it fails loudly instead.
 */
export class WriteQueue {
  private readonly lanes: Record<WriteLane, Queued[]> = { control: [], bulk: [] };
  private busy = false;
  /**
   * The operation whose async context this is. Timers and promises started
   * inside an operation inherit its context, so only one still running
   * counts: a timer an operation armed may write once the operation is done.
   */
  private readonly inside = new AsyncLocalStorage<{ running: boolean }>();
  private readonly listeners = new Set<() => void>();
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly db: Db,
    private readonly client: Client,
  ) {}

  run<T>(operation: (writer: Writer) => Promise<T>, lane: WriteLane = 'control'): Promise<T> {
    if (this.inside.getStore()?.running) {
      return Promise.reject(
        new NexaError(
          'internal',
          'a write operation queued another write and would wait for itself; pass its Writer down instead',
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.lanes[lane].push({
        operation,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      if (!this.busy) void this.drain();
    });
  }

  /** How many operations wait in a lane (the group commit sizes itself by it). */
  waiting(lane: WriteLane): number {
    return this.lanes[lane].length;
  }

  private async drain(): Promise<void> {
    this.busy = true;
    for (let next = this.next(); next; next = this.next()) {
      const effects: Array<() => void> = [];
      const writer: Writer = {
        db: this.db,
        client: this.client,
        afterward: (effect) => effects.push(effect),
      };
      const current = { running: true };
      try {
        next.resolve(await this.inside.run(current, () => next.operation(writer)));
      } catch (error) {
        next.reject(error);
      } finally {
        current.running = false;
      }
      for (const listener of this.listeners) listener();
      for (const effect of effects) effect();
    }
    this.busy = false;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private next(): Queued | undefined {
    return this.lanes.control.shift() ?? this.lanes.bulk.shift();
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
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
