import { ClientCommand } from '../../clientCommand.js';
import { ago } from '../../output/format.js';
import { table } from '../../output/table.js';

/** A token as the coordinator lists it: never the token itself. */
export interface TokenListing {
  id: string;
  role: string;
  subject: string;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  projects: string[] | null;
  joinUses: number | null;
  joinUsed: number;
  workerName: string | null;
  workerLabels: Record<string, string> | null;
}

/** What a token is: a join token with its uses, a worker's own credential, or its role. */
function kind(token: TokenListing): string {
  if (token.joinUses !== null) return `${token.role} join ${token.joinUsed}/${token.joinUses}`;
  if (token.workerName !== null) return `${token.role} (${token.workerName})`;
  return token.role;
}

function state(token: TokenListing, now = Date.now()): string {
  if (token.revokedAt) return `revoked ${ago(token.revokedAt, now)}`;
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return 'expired';
  return token.expiresAt ? `expires ${token.expiresAt}` : 'active';
}

export default class TokenList extends ClientCommand<typeof TokenList> {
  static override summary = 'List access tokens, newest first (needs an admin token).';
  static override description =
    'Shows each token’s id, role (a join token with the workers it made of how many it may, a worker’s own credential with its name), subject, projects (all: every project), age, who made it and whether it is active, expired or revoked. The tokens themselves are never stored, so never shown; revoke one with `nexa token revoke ID`.';
  static override examples = [
    '<%= config.bin %> token list',
    "<%= config.bin %> token list --json | jq -r '.[] | select(.revokedAt == null) | .id'",
  ];

  async run(): Promise<TokenListing[]> {
    const tokens = await this.call((client) => client.tokens.list.query());
    if (!this.jsonEnabled()) {
      this.log(
        table(
          ['ID', 'ROLE', 'SUBJECT', 'PROJECTS', 'CREATED', 'BY', 'STATE'],
          tokens.map((t) => [
            t.id,
            kind(t),
            t.subject,
            t.projects?.join(',') ?? 'all',
            ago(t.createdAt),
            t.createdBy ?? 'nexa',
            state(t),
          ]),
        ),
      );
    }
    return tokens;
  }
}
