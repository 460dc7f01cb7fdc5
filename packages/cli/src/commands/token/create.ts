import { parseDuration, parseLabels } from '@nexa/core';
import { Flags } from '@oclif/core';
import { ClientCommand } from '../../clientCommand.js';
import { projectList } from '../../lib/projectList.js';

export default class TokenCreate extends ClientCommand<typeof TokenCreate> {
  static override summary = 'Create an access token (needs an admin token).';
  static override description =
    'Prints a new token. Member and viewer tokens are bound to the projects named with --project (repeatable, or a,b): they see and act only there. Give a worker token to `nexa worker` in NEXA_TOKEN or a --token-file; or make a join token (--join): a worker presents it once, in --join-token-file, and gets a credential of its own, bound to its name, the --labels and --project given here. Name who holds a token with --name: by default the subject is made up from the role, you and a short id, e.g. member@local-admin-1a2b3c.';
  static override examples = [
    '<%= config.bin %> token create --role member --project web --project api',
    '<%= config.bin %> token create --role worker --name gpu-box-1 > worker.token && chmod 600 worker.token',
    '<%= config.bin %> token create --role worker --join --uses 3 --ttl 1h --labels gpu=a100 --project web > join.token',
    '<%= config.bin %> worker --server https://coordinator:7420 --join-token-file join.token --labels gpu=a100',
    '<%= config.bin %> token create --role admin --ttl 24h --json',
  ];
  static override flags = {
    role: Flags.option({
      options: ['admin', 'member', 'viewer', 'worker'] as const,
      description: 'What the token may do.',
      required: true,
    })(),
    ttl: Flags.string({
      description:
        'Expire after this long, e.g. 3600 (seconds), 30m or 24h. Default: never; a join token, 1h.',
    }),
    name: Flags.string({
      aliases: ['subject'],
      description:
        'Who or what holds the token (its subject: shown in audits and token list; a task’s creator sees its env values).',
    }),
    project: Flags.string({
      description:
        'A project the token is in (repeatable, or a,b). Required for member and viewer; a worker token takes tasks of these only. Default for workers: every project.',
      multiple: true,
    }),
    join: Flags.boolean({
      description: 'A join token (with --role worker): each worker that presents it gets its own credential.',
      default: false,
    }),
    uses: Flags.integer({ description: 'How many workers a join token may make (default 1).', min: 1 }),
    labels: Flags.string({
      description: 'The labels workers made by a join token may claim, as k=v,k=v (default: any).',
    }),
  };

  async run(): Promise<{
    id: string;
    token: string;
    role: string;
    expiresAt: string | null;
    projects: string[] | null;
    join: boolean;
    uses: number | null;
  }> {
    const { flags } = this;
    const projects = projectList(flags.project);
    const ttlSeconds =
      flags.ttl === undefined ? undefined : Math.ceil(parseDuration(flags.ttl, '--ttl') / 1000);
    const issued = await this.call((client) =>
      client.tokens.create.mutate({
        role: flags.role,
        ...(flags.name ? { subject: flags.name } : {}),
        ...(ttlSeconds ? { ttlSeconds } : {}),
        ...(projects.length > 0 ? { projects } : {}),
        ...(flags.join ? { join: true } : {}),
        ...(flags.uses !== undefined ? { uses: flags.uses } : {}),
        ...(flags.labels !== undefined ? { labels: parseLabels([flags.labels], '--labels') } : {}),
      }),
    );
    if (!this.jsonEnabled()) this.log(issued.token);
    // The id is what `nexa token revoke` takes; the token itself is never shown again.
    return {
      id: issued.jti,
      token: issued.token,
      role: issued.role,
      expiresAt: issued.expiresAt,
      projects: issued.projects,
      join: issued.join,
      uses: issued.uses,
    };
  }
}
