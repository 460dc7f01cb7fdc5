import { NexaError } from '@nexa/core';
import { Args } from '@oclif/core';
import { ClientCommand, chosenProject, projectFlags } from '../../clientCommand.js';
import { secretName } from '../../lib/secretValue.js';

export default class SecretRm extends ClientCommand<typeof SecretRm> {
  static override summary = 'Remove a secret of the project.';
  static override description =
    'Tasks already running keep the value they were given; a queued task that names it fails when it starts, saying so.';
  static override examples = [
    '<%= config.bin %> secret rm NPM_TOKEN',
    '<%= config.bin %> secret rm API_KEY --project web',
  ];
  static override args = { name: Args.string({ description: 'The secret.', required: true }) };
  static override flags = { ...projectFlags };

  async run(): Promise<{ removed: boolean }> {
    const name = secretName(this.args.name);
    const project = chosenProject(this.flags.project);
    const result = await this.call((client) =>
      client.secrets.remove.mutate({ name, ...(project ? { project } : {}) }),
    );
    if (!result.removed) {
      throw new NexaError('not_found', `no secret "${name}"${project ? ` in project ${project}` : ''}`, {
        hint: 'list them with nexa secret list',
      });
    }
    if (!this.jsonEnabled()) this.log(`secret ${name} removed`);
    return result;
  }
}
