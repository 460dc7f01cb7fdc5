import { NexaError } from '@nexa/core';
import { Args } from '@oclif/core';
import { ClientCommand, chosenProject, projectFlags } from '../../clientCommand.js';
import { type KvEntryShown, valueText } from '../../output/kv.js';

export default class KvGet extends ClientCommand<typeof KvGet> {
  static override summary = "Print a key's value from the project's shared store.";
  static override description =
    'Prints a string value as it is and any other value as JSON; --json prints the entry with its version. A key that does not exist is an error (exit 125) naming it.';
  static override examples = [
    '<%= config.bin %> kv get build/status',
    '<%= config.bin %> kv get counter --json | jq .version',
  ];
  static override args = { key: Args.string({ description: 'The key.', required: true }) };
  static override flags = { ...projectFlags };

  async run(): Promise<KvEntryShown> {
    const project = chosenProject(this.flags.project);
    const { key } = this.args;
    const entry = await this.call((client) => client.kv.get.query({ project, key }));
    if (!entry) {
      throw new NexaError(
        'not_found',
        `key "${key}" does not exist${project ? ` in project ${project}` : ''}`,
        {
          hint: `set it with: nexa kv set ${key} VALUE`,
        },
      );
    }
    if (!this.jsonEnabled()) this.log(valueText(entry.value));
    return entry;
  }
}
