import { NexaError } from '@nexa/core';
import { Args, Flags } from '@oclif/core';
import { ClientCommand, chosenProject, projectFlags } from '../../clientCommand.js';

export default class KvRm extends ClientCommand<typeof KvRm> {
  static override summary = "Remove a key from the project's shared store.";
  static override description =
    '--if-version N removes it only if it is at version N now; on a conflict nothing is removed and the command fails naming the current version. Removing a key that does not exist is an error.';
  static override examples = [
    '<%= config.bin %> kv rm build/status',
    '<%= config.bin %> kv rm lock --if-version 3',
  ];
  static override args = { key: Args.string({ description: 'The key.', required: true }) };
  static override flags = {
    ...projectFlags,
    'if-version': Flags.integer({ description: 'Only if the key is at this version now.', min: 1 }),
  };

  async run(): Promise<{ removed: boolean }> {
    const project = chosenProject(this.flags.project);
    const { key } = this.args;
    const ifVersion = this.flags['if-version'];
    const result = await this.call((client) =>
      client.kv.remove.mutate({ project, key, ...(ifVersion === undefined ? {} : { ifVersion }) }),
    );
    if (!result.removed) {
      throw new NexaError(
        'not_found',
        `key "${key}" does not exist${project ? ` in project ${project}` : ''}`,
      );
    }
    if (!this.jsonEnabled()) this.log(`${key} removed`);
    return result;
  }
}
