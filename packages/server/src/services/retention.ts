import type { Row } from '@libsql/client';
import type { TaskEventBody } from '@nexa/core';
import type { Database } from '../db/open.js';
import type { Writer } from '../db/writeQueue.js';
import { Passes } from './passes.js';
import { terminalStatuses } from './tasks.js';

/**
 * What retention may remove from a log: what a task said, not what happened
 * to it. Status events (the lifecycle is read from them), approvals, usage,
 * artifacts and errors always stay.
 */
export const removableKinds = [
  'output',
  'agent_message',
  'tool_call',
  'tool_result',
] as const satisfies readonly TaskEventBody['kind'][];

/**
 * The row kind of the marker left where events were removed. Its body is an
 * `output` event on stderr, so every reader (nexa logs, the TUI's panes) shows
 * it as a line of the log; the row kind lets retention find and merge it.
 */
export const MARKER_KIND = 'log_removed';

/** --max-task-log unless told otherwise: far above any ordinary log, it stops one task filling the disk. */
export const DEFAULT_MAX_TASK_LOG = 256 * 1024 * 1024;

/** Rows one write operation removes at most: it holds the write queue only briefly. */
const CHUNK_ROWS = 5000;
/** Rows one read of a log's sizes covers (the walks that find what to keep). */
const WALK_ROWS = 5000;
/** Finished tasks looked at per expiry step. */
const EXPIRY_TASKS = 100;
/** A task's log is measured again once this share of the cap was appended since the last time. */
const CHECK_EVERY = 1 / 4;

export interface RetentionOptions {
  /** Finished tasks' logs are removed this long after they end (null: kept forever). */
  logRetentionMs: number | null;
  /** One task's stored log is cut to its head and tail beyond this (null: no cap). */
  maxTaskLogBytes: number | null;
  /** How often expiry runs (it also runs at start). */
  sweepMs?: number;
  log: (line: string) => void;
  now?: () => number;
}

interface MarkerBody {
  kind: 'output';
  stream: 'stderr';
  data: string;
  /** What this marker stands for, so a later removal merges into one marker. */
  removed: { events: number; bytes: number };
}

/**
 * Keeps the database from growing forever: expires finished tasks' logs
 * after --log-retention, and cuts any task's log (running ones too: a task
 * printing forever must not fill the disk) to its first and last halves of
 * --max-task-log. Removed events leave one marker event at the first
 * removed seq, so readers paging by seq see the log, then the marker, then
 * the rest, with the final status event kept. Works in the write queue's
 * bulk lane in chunks, so dispatch never waits behind it for long.
 */
export class RetentionService {
  /** Bytes appended per task since its log was last measured; `fresh`: appended since the last sweep. */
  private readonly appended = new Map<string, { bytes: number; fresh: boolean }>();
  private readonly toCap = new Set<string>();
  /** Where expiry stopped: tasks finished before this were handled since the start. */
  private expiredUpTo = { finishedAt: 0, id: '' };
  private timer: NodeJS.Timeout | undefined;
  private readonly passes = new Passes(
    () => this.pass(),
    (error) => this.options.log(`retention: ${error instanceof Error ? error.message : String(error)}`),
  );
  private stopped = false;

  constructor(
    private readonly database: Database,
    private readonly options: RetentionOptions,
  ) {}

  /** Told by the event log after each commit (outside it): `bytes` of `taskId`'s events were stored. */
  noteStored(taskId: string, bytes: number): void {
    const cap = this.options.maxTaskLogBytes;
    if (!cap || this.stopped) return;
    const total = (this.appended.get(taskId)?.bytes ?? 0) + bytes;
    if (total < cap * CHECK_EVERY) {
      this.appended.set(taskId, { bytes: total, fresh: true });
      return;
    }
    this.appended.delete(taskId);
    this.toCap.add(taskId);
    void this.kick();
  }

  start(): void {
    if (this.timer || (this.options.logRetentionMs === null && this.options.maxTaskLogBytes === null)) return;
    void this.kick();
    this.timer = setInterval(() => {
      // A task that printed nothing for a whole sweep has most likely ended: forget it.
      for (const [taskId, entry] of this.appended) {
        if (entry.fresh) entry.fresh = false;
        else this.appended.delete(taskId);
      }
      void this.kick();
    }, this.options.sweepMs ?? 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.passes.stop();
  }

  /** Runs a pass now, or once more after the one running. */
  kick(): Promise<void> {
    return this.passes.kick();
  }

  private async pass(): Promise<void> {
    for (const taskId of this.toCap) {
      if (this.stopped) return;
      this.toCap.delete(taskId);
      await this.cap(taskId);
    }
    await this.expire();
  }

  /** Removes the logs of tasks that finished longer than --log-retention ago (those not yet handled). */
  async expire(): Promise<void> {
    const keepMs = this.options.logRetentionMs;
    if (keepMs === null) return;
    const before = (this.options.now ?? Date.now)() - keepMs;
    const days = Number((keepMs / 86_400_000).toFixed(2));
    const terminal = terminalStatuses.map((status) => `'${status}'`).join(', ');
    const reason = `logs are kept ${days} days after a task ends (--log-retention ${days})`;
    while (!this.stopped) {
      const { finishedAt, id } = this.expiredUpTo;
      const { rows } = await this.database.client.execute({
        // With the last seq of each log now: a task retried meanwhile appends after it, and its
        // new attempt's events are not the expired log's.
        sql: `SELECT id, finished_at,
                     (SELECT max(seq) FROM task_events WHERE task_id = tasks.id) AS last_seq
              FROM tasks
              WHERE finished_at < ? AND (finished_at, id) > (?, ?) AND status IN (${terminal})
              ORDER BY finished_at, id LIMIT ?`,
        args: [before, finishedAt, id, EXPIRY_TASKS],
      });
      for (const row of rows) {
        if (row.last_seq !== null) await this.removeRange(String(row.id), 0, Number(row.last_seq), reason);
        this.expiredUpTo = { finishedAt: Number(row.finished_at), id: String(row.id) };
      }
      if (rows.length < EXPIRY_TASKS) return;
    }
  }

  /**
   * Cuts a task's log to its first and last halves of --max-task-log: the
   * head up to the first marker (a head once kept stays), the tail from the
   * newest event back. Reads sizes from record headers only, page by page.
   */
  async cap(taskId: string): Promise<void> {
    const cap = this.options.maxTaskLogBytes;
    if (!cap) return;
    const half = Math.floor(cap / 2);
    let headEnd = 0;
    let headBytes = 0;
    head: for (let after = 0; ; ) {
      const page = await this.sizes(taskId, `seq > ${after} ORDER BY seq`);
      for (const row of page) {
        if (row.kind === MARKER_KIND || headBytes + row.bytes > half) break head;
        headBytes += row.bytes;
        headEnd = row.seq;
      }
      if (page.length < WALK_ROWS) return; // the whole log fits in the head
      after = headEnd;
    }
    let tailStart = Number.MAX_SAFE_INTEGER;
    let tailBytes = 0;
    tail: for (;;) {
      const page = await this.sizes(taskId, `seq < ${tailStart} AND seq > ${headEnd} ORDER BY seq DESC`);
      for (const row of page) {
        // The newest event always stays, however big: the log's last seq is what the coordinator
        // numbers its own events after, and what appends meanwhile come after.
        const newest = tailStart === Number.MAX_SAFE_INTEGER;
        if (!newest && tailBytes + row.bytes > half) break tail;
        tailBytes += row.bytes;
        tailStart = row.seq;
      }
      if (page.length < WALK_ROWS) return; // head and tail meet: nothing to remove
    }
    const size = formatBytes(cap);
    await this.removeRange(
      taskId,
      headEnd + 1,
      tailStart - 1,
      `the log was over --max-task-log ${size}; its first and last ${formatBytes(half)} are kept`,
    );
  }

  private async sizes(
    taskId: string,
    range: string,
  ): Promise<Array<{ seq: number; kind: string; bytes: number }>> {
    const { rows } = await this.database.client.execute({
      sql: `SELECT seq, kind, octet_length(body) AS bytes FROM task_events WHERE task_id = ? AND ${range} LIMIT ${WALK_ROWS}`,
      args: [taskId],
    });
    return rows.map((row) => ({ seq: Number(row.seq), kind: String(row.kind), bytes: Number(row.bytes) }));
  }

  /**
   * Removes the removable events of seqs from..to, a chunk per write
   * operation, merging them and any marker there into one marker at the
   * first removed seq.
   */
  private async removeRange(taskId: string, from: number, to: number, reason: string): Promise<void> {
    const removable = `kind IN (${removableKinds.map((kind) => `'${kind}'`).join(', ')})`;
    // Cheap look first (no write): an expired log already holds only what stays.
    const { rows: any } = await this.database.client.execute({
      sql: `SELECT 1 FROM task_events WHERE task_id = ? AND seq BETWEEN ? AND ? AND ${removable} LIMIT 1`,
      args: [taskId, from, to],
    });
    if (any.length === 0) return;
    for (let start = from; !this.stopped; ) {
      const next = await this.database.writes.run(
        (writer) => removeChunk(writer, taskId, start, to, removable, reason),
        'bulk',
      );
      if (next === null) return;
      start = next;
    }
  }
}

/**
 * One chunk: up to CHUNK_ROWS removable rows (and markers) from `from`,
 * deleted, and one marker for them all at the first. Returns where the next
 * chunk starts (the new marker, which it merges again), or null when done.
 */
async function removeChunk(
  writer: Writer,
  taskId: string,
  from: number,
  to: number,
  removable: string,
  reason: string,
): Promise<number | null> {
  const { client } = writer;
  const { rows } = await client.execute({
    sql: `SELECT seq, attempt, at, kind, octet_length(body) AS bytes,
                 CASE kind WHEN '${MARKER_KIND}' THEN body END AS marker
          FROM task_events
          WHERE task_id = ? AND seq BETWEEN ? AND ? AND (${removable} OR kind = '${MARKER_KIND}')
          ORDER BY seq LIMIT ${CHUNK_ROWS}`,
    args: [taskId, from, to],
  });
  const first = rows[0];
  const last = rows.at(-1);
  if (!first || !last || rows.every((row) => row.kind === MARKER_KIND)) return null;
  const removed = rows.reduce(
    (total, row) => {
      const merged = markerOf(row);
      return merged
        ? { events: total.events + merged.events, bytes: total.bytes + merged.bytes }
        : { events: total.events + 1, bytes: total.bytes + Number(row.bytes) };
    },
    { events: 0, bytes: 0 },
  );
  const marker: MarkerBody = {
    kind: 'output',
    stream: 'stderr',
    data: `\r\n[nexa] ${removed.events} events (${formatBytes(removed.bytes)}) removed: ${reason}\r\n`,
    removed,
  };
  await client.batch(
    [
      {
        sql: `DELETE FROM task_events WHERE task_id = ? AND seq BETWEEN ? AND ? AND (${removable} OR kind = '${MARKER_KIND}')`,
        args: [taskId, Number(first.seq), Number(last.seq)],
      },
      {
        sql: 'INSERT INTO task_events (task_id, seq, attempt, kind, body, at) VALUES (?, ?, ?, ?, ?, ?)',
        args: [
          taskId,
          Number(first.seq),
          Number(first.attempt),
          MARKER_KIND,
          JSON.stringify(marker),
          Number(first.at),
        ],
      },
    ],
    'write',
  );
  return rows.length < CHUNK_ROWS ? null : Number(first.seq);
}

function markerOf(row: Row): MarkerBody['removed'] | null {
  if (row.kind !== MARKER_KIND || typeof row.marker !== 'string') return null;
  return (JSON.parse(row.marker) as MarkerBody).removed;
}

/** 1536 → "1.5 KiB": binary units, as --max-task-log reads them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toFixed(1))} ${units[unit]}`;
}
