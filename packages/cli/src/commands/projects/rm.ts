import { Args } from '@oclif/core';
import { ClientCommand, projectName } from '../../clientCommand.js';

export default class ProjectsRm extends ClientCommand<typeof ProjectsRm> {
  static override summary = 'Remove a project with its secrets and keys (needs an admin token).';
  static override description =
    'Refused while any of its tasks is queued or running: cancel them first. Its finished tasks and threads stay, for admins to read. The default project cannot be removed.';
  static override examples = ['<%= config.bin %> projects rm old-experiment'];
  static override args = { name: Args.string({ description: 'The project to remove.', required: true }) };

  async run(): Promise<{ removed: true }> {
    const name = projectName(this.args.name);
    const removed = await this.call((client) => client.projects.remove.mutate({ name }));
    if (!this.jsonEnabled()) this.log(`removed project ${name}`);
    return removed;
  }
}
