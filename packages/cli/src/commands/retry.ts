import type { Task } from '@nexa/core';
import { Args } from '@oclif/core';
import { ClientCommand } from '../clientCommand.js';

export default class Retry extends ClientCommand<typeof Retry> {
  static override summary = 'Run a finished task again, as a new attempt of the same task.';
  static override description =
    'The log continues after what earlier attempts wrote; `nexa logs ID --follow` shows the new attempt.';
  static override examples = [
    '<%= config.bin %> retry t-01abc',
    '<%= config.bin %> retry t-01abc && nexa logs t-01abc --follow',
  ];
  static override args = { id: Args.string({ description: 'Task id.', required: true }) };

  async run(): Promise<Task> {
    const task = await this.call((client) => client.tasks.retry.mutate({ id: this.args.id }));
    if (!this.jsonEnabled()) this.log(`${task.id} queued again as attempt ${task.attempt}`);
    return task;
  }
}
