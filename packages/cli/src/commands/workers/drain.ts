import type { WorkerInfo } from '@nexa/core';
import { Args } from '@oclif/core';
import { ClientCommand } from '../../clientCommand.js';

export default class WorkersDrain extends ClientCommand<typeof WorkersDrain> {
  static override summary = 'Stop giving a worker new tasks; what it runs finishes.';
  static override description = 'The worker stays drained across reconnects (needs an admin token).';
  static override examples = [
    '<%= config.bin %> workers drain gpu-box-1',
    '<%= config.bin %> workers drain w-01abc --json',
  ];
  static override args = { id: Args.string({ description: 'Worker id or name.', required: true }) };

  async run(): Promise<WorkerInfo | undefined> {
    const worker = await this.call((client) => client.workers.drain.mutate({ id: this.args.id }));
    if (!this.jsonEnabled()) {
      this.log(`${this.args.id} is draining${worker ? `; ${worker.running} task(s) still running` : ''}`);
    }
    return worker;
  }
}
