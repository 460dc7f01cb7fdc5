import type { Principal, Task } from '@nexa/core';
import type { Scheduler } from './scheduler.js';
import type { TaskActivityTracker } from './taskActivity.js';
import { type TaskRow, taskFromRow } from './taskRows.js';
import type { WorkerNames } from './workerNames.js';

/**
 * Task rows as a viewer sees them, with what the row alone cannot say: why a
 * queued task waits, its worker's name, and a running task's live last line
 * and cost. Every listing and feed goes through here, so they agree.
 */
export class TaskViews {
  constructor(
    private readonly scheduler: Scheduler,
    private readonly names: WorkerNames,
    private readonly activity: TaskActivityTracker,
  ) {}

  async present(rows: readonly TaskRow[], viewer: Principal): Promise<Task[]> {
    const names = await this.names.of(rows.map((row) => row.workerId));
    return rows.map((row) =>
      taskFromRow(row, viewer, {
        waitingFor: row.status === 'queued' ? this.scheduler.explain(row) : null,
        workerName: row.workerId === null ? null : (names.get(row.workerId) ?? null),
        live: this.activity.of(row.id),
      }),
    );
  }

  async one(row: TaskRow, viewer: Principal): Promise<Task> {
    const [task] = await this.present([row], viewer);
    return task as Task;
  }
}
