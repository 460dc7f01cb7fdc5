import { type Task, TaskStatus } from '@nexa/core';
import { Flags } from '@oclif/core';
import { ClientCommand } from '../../clientCommand.js';
import { ago, whatRuns } from '../../output/format.js';
import { table } from '../../output/table.js';

export default class TasksList extends ClientCommand<typeof TasksList> {
  static override summary = 'List tasks, newest first.';
  static override examples = [
    '<%= config.bin %> tasks list',
    '<%= config.bin %> tasks list --status running',
    '<%= config.bin %> tasks list --json | jq -r ".[].id"',
  ];
  static override flags = {
    status: Flags.option({ options: TaskStatus.options, description: 'Only tasks in this status.' })(),
    limit: Flags.integer({ description: 'At most this many.', default: 50, min: 1, max: 10_000 }),
  };

  async run(): Promise<Task[]> {
    const tasks = await this.call((client) =>
      client.tasks.list.query({
        limit: this.flags.limit,
        ...(this.flags.status ? { status: this.flags.status } : {}),
      }),
    );
    if (!this.jsonEnabled()) {
      this.log(
        tasks.length === 0
          ? 'No tasks yet. Start one with: nexa run -- echo hello'
          : table(
              ['ID', 'STATUS', 'EXIT', 'WORKER', 'ATTEMPT', 'CREATED', 'RUNS'],
              tasks.map((t) => [
                t.id,
                t.status,
                t.exitCode === null ? '-' : String(t.exitCode),
                t.workerId ?? '-',
                String(t.attempt),
                ago(t.createdAt),
                whatRuns(t),
              ]),
            ),
      );
    }
    return tasks;
  }
}
