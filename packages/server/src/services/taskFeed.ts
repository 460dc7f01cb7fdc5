import {
  AsyncQueue,
  isTerminalStatus,
  limits,
  type Principal,
  type TaskActivity,
  type TaskFeedMessage,
} from '@nexa/core';
import type { Database } from '../db/open.js';
import { sees, visibleProjects } from './projectScope.js';
import type { TaskActivityTracker } from './taskActivity.js';
import type { TaskRow } from './taskRows.js';
import type { TaskService } from './tasks.js';
import type { TaskViews } from './taskViews.js';

/** How many recently finished tasks a snapshot carries besides every unfinished one. */
export const FINISHED_IN_SNAPSHOT = 50;

/** Changed rows read from the database at once, live or catching up. */
const PAGE_ROWS = 500;

type FeedItem = { kind: 'changed'; row: TaskRow } | { kind: 'activity'; tasks: TaskActivity[] };

interface Reader {
  queue: AsyncQueue<FeedItem>;
  close(): void;
}

/** What an item costs a reader's bounded queue: about its JSON size. */
function itemBytes(item: FeedItem): number {
  if (item.kind === 'activity')
    return item.tasks.reduce((total, task) => total + 64 + (task.lastLine?.length ?? 0), 0);
  const { row } = item;
  return 512 + row.command.join(' ').length + (row.prompt?.length ?? 0) + JSON.stringify(row.env).length;
}

/**
 * What one watcher of the live list may see: tasks of its projects only, and
 * the activity of those of them it was shown that are still open (kept
 * while open, so the set stays as small as the list of unfinished tasks).
 */
class ShownTasks {
  private readonly open = new Set<string>();
  private readonly everything: boolean;

  constructor(private readonly viewer: Principal) {
    this.everything = visibleProjects(viewer) === null;
  }

  reset(rows: readonly TaskRow[]): void {
    this.open.clear();
    for (const row of rows) this.admits(row);
  }

  /** Whether the watcher sees this row; remembers it while it is open. */
  admits(row: TaskRow): boolean {
    if (!sees(this.viewer, row.project)) return false;
    if (!this.everything) {
      if (isTerminalStatus(row.status)) this.open.delete(row.id);
      else this.open.add(row.id);
    }
    return true;
  }

  activity(tasks: TaskActivity[]): TaskActivity[] {
    return this.everything ? tasks : tasks.filter((task) => this.open.has(task.id));
  }
}

/**
 * The live task list (`tasks.watch`). Triggers number every visible change
 * of a task row (change_seq, migration 0006); after any write, and only while
 * someone watches, one indexed query per event-loop turn reads the rows
 * changed since the last one published and hands them to every reader, each
 * with a bounded queue. A reader that falls behind goes back to the database.
 */
export class TaskFeed {
  private readonly readers = new Set<AsyncQueue<FeedItem>>();
  private readonly listeners = new Set<(rows: readonly TaskRow[]) => void>();
  /** The last change_seq handed out; unknown while nobody watches. */
  private published: number | undefined;
  private starting: Promise<void> | undefined;
  private dirty = false;
  private reading = false;
  private stopActivity: (() => void) | undefined;

  constructor(
    database: Database,
    private readonly tasks: TaskService,
    private readonly views: TaskViews,
    private readonly activity: TaskActivityTracker,
    private readonly log: (line: string) => void,
  ) {
    database.writes.afterEachWrite(() => this.poke());
  }

  private get watched(): boolean {
    return this.readers.size > 0 || this.listeners.size > 0;
  }

  /** Something may have changed: read it on the next turn, once however many writes asked. */
  poke(): void {
    if (!this.watched) return;
    this.dirty = true;
    if (this.reading) return;
    this.reading = true;
    setImmediate(() => void this.readChanges());
  }

  private async readChanges(): Promise<void> {
    try {
      while (this.dirty && this.watched) {
        this.dirty = false;
        await this.starting;
        const rows = await this.tasks.changedSince(this.published ?? 0, PAGE_ROWS);
        const last = rows.at(-1);
        if (!last || !this.watched) continue;
        this.published = Math.max(this.published ?? 0, last.changeSeq);
        this.dirty = true; // maybe more than one page
        for (const row of rows) {
          const item: FeedItem = { kind: 'changed', row };
          const bytes = itemBytes(item);
          for (const reader of this.readers) reader.push(item, bytes);
        }
        for (const listener of this.listeners) listener(rows);
      }
    } catch (error) {
      // Readers go back to the database, where the same failure reaches their clients.
      this.log(`task feed: cannot read changed tasks: ${(error as Error).message}`);
      for (const reader of this.readers) {
        reader.overflowed = true;
        reader.end();
      }
    } finally {
      this.reading = false;
    }
  }

  /** Starts following from the newest change when the first reader arrives. */
  private async start(): Promise<void> {
    if (!this.watched) {
      this.published = undefined;
      this.starting = this.tasks.changeCursor().then((cursor) => {
        this.published ??= cursor;
      });
    }
    await this.starting;
  }

  private stopIfUnwatched(): void {
    if (this.watched) return;
    this.stopActivity?.();
    this.stopActivity = undefined;
  }

  /** Rows as they change, for the coordinator's own use (the worker feed); returns how to stop. */
  async onChange(listener: (rows: readonly TaskRow[]) => void): Promise<() => void> {
    const starting = this.start();
    this.listeners.add(listener);
    await starting;
    return () => {
      this.listeners.delete(listener);
      this.stopIfUnwatched();
    };
  }

  private async subscribe(): Promise<Reader> {
    const starting = this.start();
    const queue = new AsyncQueue<FeedItem>(limits.listing.watchEvents, limits.listing.watchBytes);
    this.readers.add(queue);
    this.stopActivity ??= this.activity.watch((tasks) => {
      const item: FeedItem = { kind: 'activity', tasks };
      const bytes = itemBytes(item);
      for (const reader of this.readers) reader.push(item, bytes);
    });
    await starting;
    return {
      queue,
      close: () => {
        queue.end();
        this.readers.delete(queue);
        this.stopIfUnwatched();
      },
    };
  }

  /**
   * The task list as `viewer` sees it, then every change, live. From
   * `afterCursor` (a reconnect), every task changed since; without one, or
   * when more changed than a listing holds, a snapshot first. Subscribes
   * before reading the database, so nothing committed in between is missed;
   * duplicates are dropped by cursor.
   */
  async *watch(
    viewer: Principal,
    afterCursor: number | null,
    signal: AbortSignal | undefined,
    waitForDrain: () => Promise<void>,
  ): AsyncGenerator<TaskFeedMessage> {
    let cursor = afterCursor;
    const shown = new ShownTasks(viewer);
    while (!signal?.aborted) {
      const reader = await this.subscribe();
      const stop = () => reader.close();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        if (
          cursor === null ||
          (await this.tasks.changesSince(cursor, limits.listing.rows + 1)) > limits.listing.rows
        ) {
          await waitForDrain();
          const at = await this.tasks.changeCursor(); // before the rows: a change in between comes live
          const rows = await this.tasks.feedRows(FINISHED_IN_SNAPSHOT, visibleProjects(viewer));
          const tasks = await this.views.present(rows, viewer);
          shown.reset(rows);
          yield { type: 'snapshot', tasks, cursor: at };
          cursor = at;
        } else {
          for (;;) {
            // Before loading a page, not only before sending it: a paused reader holds no page.
            await waitForDrain();
            const rows = await this.tasks.changedSince(cursor, PAGE_ROWS);
            if (rows.length === 0) break;
            for (const row of rows) {
              cursor = row.changeSeq;
              if (!shown.admits(row)) continue;
              await waitForDrain();
              yield { type: 'task', task: await this.views.one(row, viewer), cursor: row.changeSeq };
            }
          }
        }
        for await (const item of reader.queue) {
          if (item.kind === 'activity') {
            const tasks = shown.activity(item.tasks);
            if (tasks.length === 0) continue;
            await waitForDrain();
            yield { type: 'activity', tasks };
            continue;
          }
          if (item.row.changeSeq <= cursor) continue;
          cursor = item.row.changeSeq;
          if (!shown.admits(item.row)) continue;
          await waitForDrain();
          yield { type: 'task', task: await this.views.one(item.row, viewer), cursor: item.row.changeSeq };
        }
        if (!reader.queue.overflowed) return; // closed: the watcher left
      } finally {
        signal?.removeEventListener('abort', stop);
        reader.close();
      }
    }
  }

  /** Readers and listeners right now (tests and metrics). */
  get watchers(): number {
    return this.readers.size + this.listeners.size;
  }
}
