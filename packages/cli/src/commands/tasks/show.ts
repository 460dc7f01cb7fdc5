import { type TaskDetail, visible } from '@nexa/core';
import { Args } from '@oclif/core';
import { ClientCommand } from '../../clientCommand.js';
import { attemptLines, taskSummary } from '../../output/format.js';

export default class TasksShow extends ClientCommand<typeof TasksShow> {
  static override summary = 'Show one task.';
  static override examples = [
    '<%= config.bin %> tasks show t-01abc',
    '<%= config.bin %> tasks show t-01abc --json',
  ];
  static override args = { id: Args.string({ description: 'Task id.', required: true }) };

  async run(): Promise<TaskDetail> {
    const task = await this.call((client) => client.tasks.get.query({ id: this.args.id }));
    if (!this.jsonEnabled()) {
      const rows = taskSummary(task);
      const width = Math.max(...rows.map(([key]) => key.length));
      this.log(rows.map(([key, value]) => `${`${key}:`.padEnd(width + 2)}${visible(value)}`).join('\n'));
      if (task.attempts.length > 0)
        this.log(['Attempts:', ...attemptLines(task).map((line) => visible(line))].join('\n'));
    }
    return task;
  }
}
