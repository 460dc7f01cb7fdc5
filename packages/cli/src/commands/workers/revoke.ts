import type { WorkerInfo } from '@nexa/core';
import { Args } from '@oclif/core';
import { ClientCommand } from '../../clientCommand.js';

export default class WorkersRevoke extends ClientCommand<typeof WorkersRevoke> {
  static override summary = 'Cut a worker off now: its credential stops working and it is disconnected.';
  static override description =
    'Revokes the credential the worker got when it joined (its connections close at once and it exits), keeps its name from registering again until a new join, and queues what it was running again elsewhere (needs an admin token).';
  static override examples = [
    '<%= config.bin %> workers revoke gpu-box-1',
    '<%= config.bin %> workers revoke w-01abc --json',
  ];
  static override args = { id: Args.string({ description: 'Worker id or name.', required: true }) };

  async run(): Promise<WorkerInfo> {
    const worker = await this.call((client) => client.workers.revoke.mutate({ id: this.args.id }));
    if (!this.jsonEnabled()) this.log(`${worker.name} (${worker.id}) is revoked and disconnected`);
    return worker;
  }
}
