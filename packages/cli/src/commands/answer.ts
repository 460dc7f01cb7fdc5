import type { Approval } from '@nexa/core';
import { Args } from '@oclif/core';
import { ClientCommand } from '../clientCommand.js';

export default class Answer extends ClientCommand<typeof Answer> {
  static override summary = "Answer an agent's question (ask_human) with text.";
  static override description =
    "The answer is posted in the task's thread as a reply to the question, and the agent waiting on it goes on. Questions are listed by nexa approvals list; a permission request is answered with nexa approve / nexa deny instead.";
  static override examples = [
    '<%= config.bin %> answer a-01jabc "Yes, drop the old column"',
    '<%= config.bin %> answer a-01jabc "Use the staging database" --json',
  ];
  static override args = {
    id: Args.string({
      description: 'Approval id of the question (from nexa approvals list).',
      required: true,
    }),
    text: Args.string({ description: 'The answer, in markdown.', required: true }),
  };

  async run(): Promise<Approval> {
    const approval = await this.call((client) =>
      client.approvals.answer.mutate({ id: this.args.id, text: this.args.text }),
    );
    if (!this.jsonEnabled()) this.log(`${approval.id} answered: ${approval.action}`);
    return approval;
  }
}
