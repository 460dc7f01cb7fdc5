import type { Principal, Task } from '@nexa/core';
import type { Scheduler } from './scheduler.js';
import type { TaskActivityTracker } from './taskActivity.js';
import { type TaskRow, taskFromRow } from './taskRows.js';
import type { TaskService } from './tasks.js';
import type { WorkerNames } from './workerNames.js';

/**
 * Task rows as a viewer sees them, with what the row alone cannot say: why a
 * queued task waits, its worker's name, and a running task's live last line
 * and cost. Every listing and feed goes through here, so they agree.
 */
export class TaskViews {
  constructor(
    private readonly tasks: TaskService,
    private readonly scheduler: Scheduler,
    private readonly names: WorkerNames,
    private readonly activity: TaskActivityTracker,
  ) {}

  async present(rows: readonly TaskRow[], viewer: Principal): Promise<Task[]> {
    const load = rows.some((row) => row.status === 'queued')
      ? await this.tasks.activeCountByWorker()
      : undefined;
    const names = await this.names.of(rows.map((row) => row.workerId));
    return Promise.all(
      rows.map(async (row) =>
        taskFromRow(row, viewer, {
          waitingFor: row.status === 'queued' ? await this.scheduler.explain(row, load) : null,
          workerName: row.workerId === null ? null : (names.get(row.workerId) ?? null),
          live: this.activity.of(row.id),
        }),
      ),
    );
  }

  async one(row: TaskRow, viewer: Principal): Promise<Task> {
    const [task] = await this.present([row], viewer);
    return task as Task;
  }
}
