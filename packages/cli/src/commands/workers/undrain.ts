import type { WorkerInfo } from '@nexa/core';
import { Args } from '@oclif/core';
import { ClientCommand } from '../../clientCommand.js';

export default class WorkersUndrain extends ClientCommand<typeof WorkersUndrain> {
  static override summary = 'Give a drained worker new tasks again.';
  static override description = 'Undoes `nexa workers drain` (needs an admin token).';
  static override examples = [
    '<%= config.bin %> workers undrain gpu-box-1',
    '<%= config.bin %> workers undrain w-01abc --json',
  ];
  static override args = { id: Args.string({ description: 'Worker id or name.', required: true }) };

  async run(): Promise<WorkerInfo | undefined> {
    const worker = await this.call((client) => client.workers.undrain.mutate({ id: this.args.id }));
    if (!this.jsonEnabled()) {
      this.log(`${this.args.id} takes new tasks again${worker ? ` (${worker.status})` : ''}`);
    }
    return worker;
  }
}
