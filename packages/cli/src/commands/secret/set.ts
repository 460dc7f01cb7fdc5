import type { SecretInfo } from '@nexa/core';
import { Args } from '@oclif/core';
import { ClientCommand, chosenProject, projectFlags } from '../../clientCommand.js';
import { readSecretValue, secretName } from '../../lib/secretValue.js';

export default class SecretSet extends ClientCommand<typeof SecretSet> {
  static override summary =
    'Set a secret of the project, its value read from stdin (never from the command line).';
  static override description =
    'The value is encrypted at rest on the coordinator and nobody can read it back. A task gets it, as an environment variable of the same name, only when it names it (nexa run --secret NAME), and its value is redacted from everything the task prints or posts. On a terminal the value is typed with echo off; setting a name again replaces its value.';
  static override examples = [
    'printf %s "$NPM_TOKEN" | <%= config.bin %> secret set NPM_TOKEN',
    '<%= config.bin %> secret set API_KEY --project web < api-key.txt',
    '<%= config.bin %> secret set API_KEY   # prompts, not echoed',
  ];
  static override args = {
    name: Args.string({
      description: 'The secret and the environment variable it becomes: upper-case letters, digits and "_".',
      required: true,
    }),
  };
  static override flags = { ...projectFlags };

  async run(): Promise<SecretInfo> {
    const name = secretName(this.args.name);
    const project = chosenProject(this.flags.project);
    const value = await readSecretValue(name);
    const info = await this.call((client) =>
      client.secrets.set.mutate({ name, value, ...(project ? { project } : {}) }),
    );
    if (!this.jsonEnabled()) this.log(`secret ${info.name} set in project ${info.project}`);
    return info;
  }
}
