import type { Task } from '@nexa/core';
import { Args } from '@oclif/core';
import { ClientCommand } from '../clientCommand.js';

export default class Cancel extends ClientCommand<typeof Cancel> {
  static override summary = 'Cancel a task.';
  static override description =
    "A queued task ends at once. A running one gets SIGTERM, then SIGKILL after its grace period, and ends `cancelled` whatever it does. Prints the task's status.";
  static override examples = ['<%= config.bin %> cancel t-01abc', '<%= config.bin %> cancel t-01abc --json'];
  static override args = { id: Args.string({ description: 'Task id.', required: true }) };

  async run(): Promise<Task> {
    const task = await this.call((client) => client.tasks.cancel.mutate({ id: this.args.id }));
    if (!this.jsonEnabled()) {
      this.log(task.status === 'cancelled' ? `${task.id} cancelled` : `${task.id} is being cancelled`);
    }
    return task;
  }
}
