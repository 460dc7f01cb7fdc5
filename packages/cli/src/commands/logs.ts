import type { StoredTaskEvent } from '@nexa/core';
import { Args, Flags } from '@oclif/core';
import { ClientCommand } from '../clientCommand.js';
import { EventPrinter } from '../lib/eventPrinter.js';
import { followTask, printEventJson } from '../lib/followTask.js';

export default class Logs extends ClientCommand<typeof Logs> {
  static override summary = "Print a task's output.";
  static override description =
    "Prints the task's stdout to stdout and its stderr to stderr, as stored by the coordinator. With --follow, keeps printing until the task ends. With --json, prints one JSON object per event.";
  static override examples = [
    '<%= config.bin %> logs t-01abc',
    '<%= config.bin %> logs t-01abc --follow',
    '<%= config.bin %> logs t-01abc --since 120 --json',
  ];
  static override args = { id: Args.string({ description: 'Task id.', required: true }) };
  static override flags = {
    follow: Flags.boolean({
      char: 'f',
      description: 'Keep printing new output until the task ends.',
      default: false,
    }),
    since: Flags.integer({ description: 'Only events after this seq.', default: 0, min: 0 }),
  };

  async run(): Promise<void> {
    const { id } = this.args;
    const json = this.jsonEnabled();
    const printer = new EventPrinter();
    const print = (event: StoredTaskEvent) => (json ? printEventJson(id, event) : printer.print(event));
    if (this.flags.follow) {
      const client = await this.client();
      try {
        await followTask(client, id, this.flags.since, print);
      } catch (error) {
        throw await this.translate(error);
      }
      return;
    }
    let after = this.flags.since;
    for (;;) {
      const page = await this.call((client) =>
        client.events.list.query({ taskId: id, afterSeq: after, limit: 1000 }),
      );
      for (const event of page) print(event);
      // Pages are bounded by bytes as well as count: only an empty page means the end.
      const last = page.at(-1);
      if (!last) break;
      after = last.seq;
    }
  }
}
