import type { Approval } from '@nexa/core';
import { Args, Flags } from '@oclif/core';
import { ClientCommand } from '../clientCommand.js';

export default class Deny extends ClientCommand<typeof Deny> {
  static override summary = "Refuse an agent's pending permission request.";
  static override description =
    'The agent is told no, with your reason, and carries on without the action. The decision is stored with who made it and why.';
  static override examples = ['<%= config.bin %> deny a-01abc --reason "do not touch the lockfile"'];
  static override args = {
    id: Args.string({ description: 'Approval id (from nexa approvals list).', required: true }),
  };
  static override flags = {
    reason: Flags.string({ char: 'r', description: 'Why: the agent sees it.' }),
  };

  async run(): Promise<Approval> {
    const approval = await this.call((client) =>
      client.approvals.answer.mutate({
        id: this.args.id,
        approve: false,
        ...(this.flags.reason ? { reason: this.flags.reason } : {}),
      }),
    );
    if (!this.jsonEnabled()) this.log(`${approval.id} denied: ${approval.tool}: ${approval.action}`);
    return approval;
  }
}
