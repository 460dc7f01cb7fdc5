import { NexaError } from '@nexa/core';
import { Args, Flags } from '@oclif/core';
import { ClientCommand, chosenProject, projectFlags } from '../../clientCommand.js';
import { watchUntilSignal } from '../../lib/watchUntilSignal.js';
import { changeLine, type KvChangeShown } from '../../output/kv.js';

export default class KvWatch extends ClientCommand<typeof KvWatch> {
  static override summary = 'Print a key, or every key under a prefix, then each change, until Ctrl-C.';
  static override description =
    'First each matching key as it is now (as "set"), then every set and removal as it happens. With no KEY and no --prefix, the whole project. With --json, one JSON object per change.';
  static override examples = [
    '<%= config.bin %> kv watch build/status',
    '<%= config.bin %> kv watch --prefix build/',
    '<%= config.bin %> kv watch --prefix jobs/ --json',
  ];
  static override args = { key: Args.string({ description: 'The key to watch.' }) };
  static override flags = {
    ...projectFlags,
    prefix: Flags.string({ description: 'Watch every key that starts with this (instead of KEY).' }),
  };

  async run(): Promise<void> {
    const project = chosenProject(this.flags.project);
    const { key } = this.args;
    const { prefix } = this.flags;
    if (key && prefix) throw new NexaError('invalid_input', 'give a KEY or --prefix, not both');
    const json = this.jsonEnabled();
    const print = (change: KvChangeShown) =>
      json ? process.stdout.write(`${JSON.stringify(change)}\n`) : this.log(changeLine(change));
    const client = await this.client();
    const ended = watchUntilSignal(
      (handlers) =>
        client.kv.watch.subscribe(
          { project, ...(key ? { key } : {}), ...(prefix ? { prefix } : {}) },
          handlers,
        ),
      print,
    );
    try {
      await ended;
    } catch (error) {
      throw await this.translate(error);
    }
  }
}
