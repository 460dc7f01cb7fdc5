import { Flags } from '@oclif/core';
import { ClientCommand } from '../../clientCommand.js';

export default class TokenCreate extends ClientCommand<typeof TokenCreate> {
  static override summary = 'Create an access token (needs an admin token).';
  static override description =
    'Prints a new token. Give a worker token to `nexa worker` in NEXA_TOKEN or a --token-file; give an admin or member token to people and CI. Name who holds it with --name: by default the subject is made up from the role, you and a short id, e.g. member@local-admin-1a2b3c.';
  static override examples = [
    '<%= config.bin %> token create --role worker',
    '<%= config.bin %> token create --role worker --name gpu-box-1 > worker.token && chmod 600 worker.token',
    '<%= config.bin %> worker --server http://coordinator:7420 --token-file worker.token',
    '<%= config.bin %> token create --role admin --ttl 86400 --json',
  ];
  static override flags = {
    role: Flags.option({
      options: ['admin', 'member', 'viewer', 'worker'] as const,
      description: 'What the token may do.',
      required: true,
    })(),
    ttl: Flags.integer({ description: 'Expire after this many seconds (default: never).', min: 1 }),
    name: Flags.string({
      aliases: ['subject'],
      description:
        'Who or what holds the token (its subject: shown in audits and token list; a task’s creator sees its env values).',
    }),
  };

  async run(): Promise<{ id: string; token: string; role: string; expiresAt: string | null }> {
    const issued = await this.call((client) =>
      client.tokens.create.mutate({
        role: this.flags.role,
        ...(this.flags.name ? { subject: this.flags.name } : {}),
        ...(this.flags.ttl ? { ttlSeconds: this.flags.ttl } : {}),
      }),
    );
    if (!this.jsonEnabled()) this.log(issued.token);
    // The id is what `nexa token revoke` takes; the token itself is never shown again.
    return { id: issued.jti, token: issued.token, role: issued.role, expiresAt: issued.expiresAt };
  }
}
