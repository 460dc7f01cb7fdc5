import type { Thread } from '@nexa/core';
import { Args } from '@oclif/core';
import { ClientCommand, chosenProject, projectFlags } from '../../clientCommand.js';

export default class ThreadsCreate extends ClientCommand<typeof ThreadsCreate> {
  static override summary = 'Start a free thread (one not tied to a task) and print its id.';
  static override examples = [
    '<%= config.bin %> threads create "Release 1.4 plan"',
    '<%= config.bin %> threads create "Flaky tests" --project web-app --json',
  ];
  static override args = { title: Args.string({ description: 'The thread title.', required: true }) };
  static override flags = { ...projectFlags };

  async run(): Promise<Thread> {
    const project = chosenProject(this.flags.project);
    const thread = await this.call((client) =>
      client.threads.create.mutate({ project, title: this.args.title }),
    );
    if (!this.jsonEnabled()) this.log(thread.id);
    return thread;
  }
}
