import { Args, Flags } from '@oclif/core';
import { ClientCommand } from '../clientCommand.js';
import { readArtifact } from '../lib/taskArtifact.js';
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
    const artifact = await this.call((client) => readArtifact(client, id));
    if (!this.jsonEnabled()) {
      const text = this.flags.stat ? artifact.stat : artifact.patch;
      process.stdout.write(forReader(text, process.stdout.isTTY === true));
      if (artifact.truncated) process.stderr.write('nexa: the diff was cut at 1 MiB\n');
    }
    return { branch: artifact.branch, base: artifact.base, patch: artifact.patch };
  }
}
