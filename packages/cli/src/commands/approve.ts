import { type Approval, NexaError } from '@nexa/core';
import { Args, Flags } from '@oclif/core';
import { ClientCommand } from '../clientCommand.js';

export default class Approve extends ClientCommand<typeof Approve> {
  static override summary = "Allow an agent's pending permission request.";
  static override description =
    'The agent goes ahead with the action. --always also allows the same action (the same command, or the same tool on the same file) for the rest of the task without asking. --input replaces the tool input the agent proposed (agents that accept edits: claude).';
  static override examples = [
    '<%= config.bin %> approve a-01abc',
    '<%= config.bin %> approve a-01abc --always',
    `<%= config.bin %> approve a-01abc --input '{"command": "npm test -- --runInBand"}'`,
  ];
  static override args = {
    id: Args.string({ description: 'Approval id (from nexa approvals list).', required: true }),
  };
  static override flags = {
    always: Flags.boolean({
      description: 'Allow the same action for the rest of this task.',
      default: false,
    }),
    input: Flags.string({ description: 'The tool input to use instead, as a JSON object.' }),
  };

  async run(): Promise<Approval> {
    const updatedInput = this.flags.input === undefined ? undefined : parseInput(this.flags.input);
    const approval = await this.call((client) =>
      client.approvals.answer.mutate({
        id: this.args.id,
        approve: true,
        always: this.flags.always,
        ...(updatedInput ? { updatedInput } : {}),
      }),
    );
    if (!this.jsonEnabled()) {
      this.log(
        `${approval.id} approved${this.flags.always ? ' (and from now on for this task)' : ''}: ${approval.tool}: ${approval.action}`,
      );
    }
    return approval;
  }
}

function parseInput(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new NexaError('invalid_input', `--input is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NexaError('invalid_input', '--input must be a JSON object, e.g. {"command": "ls"}');
  }
  return value as Record<string, unknown>;
}
