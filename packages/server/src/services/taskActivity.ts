import type { TaskActivity as Activity, TaskEvent } from '@nexa/core';
import { lastLineOf } from './lastLine.js';

/** How much of a running task's latest output is kept to find its last line: far more than one line shows. */
const TAIL_CHARS = 2048;

/** The fastest the activity of running tasks is sent to watchers: at most 4 messages a second. */
export const ACTIVITY_INTERVAL_MS = 250;

interface LiveTask {
  /** The end of the task's output (and assistant messages), raw; the line is worked out only when asked. */
  tail: string;
  lastLine?: string | null;
  costUsd: number | null;
  /** What watchers were last told, so a change that shows nothing new sends nothing. */
  sent?: string;
}

/**
 * What running tasks are doing now (last line of output, cost), in memory:
 * an append costs a string slice, no write. The values reach the task row
 * only when the task ends (see EventLog.store).
 */
export class TaskActivityTracker {
  private readonly live = new Map<string, LiveTask>();
  private readonly changed = new Set<string>();
  private readonly watchers = new Set<(activity: Activity[]) => void>();
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlushAt = 0;

  /** Takes in a task's newly stored events. */
  record(taskId: string, events: readonly TaskEvent[]): void {
    let live = this.live.get(taskId);
    let touched = false;
    for (const event of events) {
      let text: string | undefined;
      if (event.kind === 'output') text = event.data;
      else if (event.kind === 'agent_message' && event.role === 'assistant') text = `\n${event.text}\n`;
      else if (event.kind === 'usage' && event.costUsd !== null) {
        // The latest, not a sum: claude's total_cost_usd and an ACP agent's cost are
        // running totals for the session; codex reports no cost at all.
        live ??= this.start(taskId);
        live.costUsd = event.costUsd;
        touched = true;
      }
      if (text) {
        live ??= this.start(taskId);
        live.tail = (live.tail + text).slice(-TAIL_CHARS);
        live.lastLine = undefined;
        touched = true;
      }
    }
    if (touched && this.watchers.size > 0) {
      this.changed.add(taskId);
      this.scheduleFlush();
    }
  }

  private start(taskId: string): LiveTask {
    const live: LiveTask = { tail: '', costUsd: null };
    this.live.set(taskId, live);
    return live;
  }

  /** The task's live values, if it has produced any since this coordinator started. */
  of(taskId: string): { lastLine: string | null; costUsd: number | null } | undefined {
    const live = this.live.get(taskId);
    if (!live) return undefined;
    if (live.lastLine === undefined) live.lastLine = lastLineOf(live.tail);
    return { lastLine: live.lastLine, costUsd: live.costUsd };
  }

  /** Once the values are on the task row (it ended), memory lets go. */
  forget(taskId: string): void {
    this.live.delete(taskId);
    this.changed.delete(taskId);
  }

  /** Calls `watcher` with the tasks whose line or cost changed, at most every ACTIVITY_INTERVAL_MS. */
  watch(watcher: (activity: Activity[]) => void): () => void {
    this.watchers.add(watcher);
    return () => {
      this.watchers.delete(watcher);
      if (this.watchers.size === 0) {
        this.changed.clear();
        clearTimeout(this.flushTimer);
        this.flushTimer = undefined;
      }
    };
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    const wait = Math.max(0, this.lastFlushAt + ACTIVITY_INTERVAL_MS - Date.now());
    this.flushTimer = setTimeout(() => this.flush(), wait);
    this.flushTimer.unref();
  }

  private flush(): void {
    this.flushTimer = undefined;
    this.lastFlushAt = Date.now();
    const activity: Activity[] = [];
    for (const id of this.changed) {
      const now = this.of(id);
      const live = this.live.get(id);
      if (!now || !live) continue;
      const sent = JSON.stringify(now);
      if (sent === live.sent) continue;
      live.sent = sent;
      activity.push({ id, ...now });
    }
    this.changed.clear();
    if (activity.length === 0) return;
    for (const watcher of this.watchers) watcher(activity);
  }
}
