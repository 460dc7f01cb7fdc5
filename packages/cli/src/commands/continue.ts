import type { Task } from '@nexa/core';
import { Args } from '@oclif/core';
import { ClientCommand } from '../clientCommand.js';

export default class Continue extends ClientCommand<typeof Continue> {
  static override summary =
    'Give a finished agent task more to do, in the same working copy and agent session.';
  static override description =
    "Queues the next attempt on the worker that ran it, resuming the agent's session with the new prompt. Only agents that can resume (Claude Code, ACP agents that load sessions, Codex) and only once the task has ended; anything else is refused with the reason. Follow it with nexa logs ID --follow.";
  static override examples = [
    '<%= config.bin %> continue t-01jabc "Now add tests for the edge cases"',
    '<%= config.bin %> continue t-01jabc "Rename the flag to --dry-run" --json',
  ];
  static override args = {
    id: Args.string({ description: 'Task id.', required: true }),
    prompt: Args.string({ description: 'What the agent should do next.', required: true }),
  };

  async run(): Promise<Task> {
    const task = await this.call((client) =>
      client.tasks.continue.mutate({ id: this.args.id, prompt: this.args.prompt }),
    );
    if (!this.jsonEnabled()) {
      this.log(
        `${task.id} queued to continue${task.workerName ? ` on ${task.workerName}` : ''}; follow it with: nexa logs ${task.id} --follow`,
      );
    }
    return task;
  }
}
