import type { Project } from '@nexa/core';
import { Args } from '@oclif/core';
import { ClientCommand, projectName } from '../../clientCommand.js';

export default class ProjectsCreate extends ClientCommand<typeof ProjectsCreate> {
  static override summary = 'Create a project (needs an admin token).';
  static override description =
    'A project holds tasks, threads, keys and secrets. Members and viewers see only the projects their token names: give one with nexa token create --role member --project NAME.';
  static override examples = [
    '<%= config.bin %> projects create web-app',
    '<%= config.bin %> token create --role member --subject ana --project web-app',
  ];
  static override args = {
    name: Args.string({
      description: 'Lower-case letters, digits, ".", "_" or "-", e.g. web-app.',
      required: true,
    }),
  };

  async run(): Promise<Project> {
    const name = projectName(this.args.name);
    const project = await this.call((client) => client.projects.create.mutate({ name }));
    if (!this.jsonEnabled()) {
      this.log(
        `created project ${project.name}; add people with: nexa token create --role member --project ${project.name}`,
      );
    }
    return project;
  }
}
