import type { Project } from '@nexa/core';
import { ClientCommand } from '../../clientCommand.js';
import { ago } from '../../output/format.js';
import { table } from '../../output/table.js';

export default class ProjectsList extends ClientCommand<typeof ProjectsList> {
  static override summary = 'List the projects your token may see (an admin sees every one).';
  static override examples = ['<%= config.bin %> projects list', '<%= config.bin %> projects list --json'];

  async run(): Promise<Project[]> {
    const projects = await this.call((client) => client.projects.list.query());
    if (!this.jsonEnabled()) {
      this.log(
        projects.length === 0
          ? 'No projects you may see. An admin creates one with: nexa projects create NAME'
          : table(
              ['NAME', 'CREATED BY', 'CREATED'],
              projects.map((project) => [project.name, project.createdBy ?? '-', ago(project.createdAt)]),
            ),
      );
    }
    return projects;
  }
}
