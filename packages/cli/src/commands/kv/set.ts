import { Args, Flags } from '@oclif/core';
import { ClientCommand, chosenProject, projectFlags } from '../../clientCommand.js';
import { type KvEntryShown, parseValue } from '../../output/kv.js';

export default class KvSet extends ClientCommand<typeof KvSet> {
  static override summary = "Set a key in the project's shared store.";
  static override description =
    'VALUE is stored as JSON when it is JSON (42, true, {"a": 1}, "quoted"), else as the plain string. --if-version N sets it only if the key is at version N now (0: only if it does not exist): on a conflict nothing is written and the command fails (exit 125) naming the current version. Prints the new version.';
  static override examples = [
    '<%= config.bin %> kv set build/status passing',
    `<%= config.bin %> kv set config '{"retries": 3}'`,
    '<%= config.bin %> kv set counter 8 --if-version 7',
  ];
  static override args = {
    key: Args.string({ description: 'The key.', required: true }),
    value: Args.string({ description: 'The value: JSON, or a plain string.', required: true }),
  };
  static override flags = {
    ...projectFlags,
    'if-version': Flags.integer({
      description: 'Only if the key is at this version now (0: only if it does not exist).',
      min: 0,
    }),
  };

  async run(): Promise<KvEntryShown> {
    const project = chosenProject(this.flags.project);
    const ifVersion = this.flags['if-version'];
    const entry = await this.call((client) =>
      client.kv.set.mutate({
        project,
        key: this.args.key,
        value: parseValue(this.args.value),
        ...(ifVersion === undefined ? {} : { ifVersion }),
      }),
    );
    if (!this.jsonEnabled()) this.log(`${entry.key} is at version ${entry.version}`);
    return entry;
  }
}
