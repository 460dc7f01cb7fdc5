import type { SecretInfo } from '@nexa/core';
import { ClientCommand, chosenProject, projectFlags } from '../../clientCommand.js';
import { ago } from '../../output/format.js';
import { table } from '../../output/table.js';

export default class SecretList extends ClientCommand<typeof SecretList> {
  static override summary = "List the project's secrets: names, who set them and when (never a value).";
  static override examples = [
    '<%= config.bin %> secret list',
    '<%= config.bin %> secret list --project web --json',
  ];
  static override flags = { ...projectFlags };

  async run(): Promise<SecretInfo[]> {
    const project = chosenProject(this.flags.project);
    const secrets = await this.call((client) => client.secrets.list.query(project ? { project } : {}));
    if (!this.jsonEnabled()) {
      this.log(
        secrets.length === 0
          ? `No secrets${project ? ` in project ${project}` : ''}.`
          : table(
              ['NAME', 'PROJECT', 'SET BY', 'SET'],
              secrets.map((secret) => [secret.name, secret.project, secret.setBy, ago(secret.setAt)]),
            ),
      );
    }
    return secrets;
  }
}
