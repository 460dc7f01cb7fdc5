import { NexaError } from '@nexa/core';
import { Args, Flags } from '@oclif/core';
import { ClientCommand } from '../clientCommand.js';
import { forReader } from '../output/format.js';

export default class Diff extends ClientCommand<typeof Diff> {
  static override summary = 'Print what a task changed in its repository.';
  static override description =
    'The full diff against the commit the task started from, as the worker recorded it when the task ended (tasks run with --repo). With --stat, only the summary.';
  static override examples = [
    '<%= config.bin %> diff t-01abc',
    '<%= config.bin %> diff t-01abc --stat',
    '<%= config.bin %> diff t-01abc | git apply',
  ];
  static override args = { id: Args.string({ description: 'Task id.', required: true }) };
  static override flags = { stat: Flags.boolean({ description: 'Only the diff stat.', default: false }) };

  async run(): Promise<{ branch: string; base: string; patch: string } | undefined> {
    const { id } = this.args;
    const events = await this.call(async (client) => {
      await client.tasks.get.query({ id }); // not_found first
      const all = [];
      for (let after = 0; ; ) {
        // Pages are bounded by bytes as well as count: only an empty page means the end.
        const page = await client.events.list.query({ taskId: id, afterSeq: after, limit: 1000 });
        if (page.length === 0) return all;
        all.push(...page);
        after = page.at(-1)?.seq ?? after;
      }
    });
    const artifact = events.filter((event) => event.kind === 'artifact').at(-1);
    if (artifact?.kind !== 'artifact') {
      throw new NexaError('not_found', `task ${id} has no recorded changes`, {
        hint: 'only tasks run with --repo have them, once they have ended',
      });
    }
    if (!this.jsonEnabled()) {
      const text = this.flags.stat ? artifact.stat : artifact.patch;
      process.stdout.write(forReader(text, process.stdout.isTTY === true));
      if (artifact.truncated) process.stderr.write('nexa: the diff was cut at 1 MiB\n');
    }
    return { branch: artifact.branch, base: artifact.base, patch: artifact.patch };
  }
}
