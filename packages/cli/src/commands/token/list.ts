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
}

function state(token: TokenListing, now = Date.now()): string {
  if (token.revokedAt) return `revoked ${ago(token.revokedAt, now)}`;
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return 'expired';
  return token.expiresAt ? `expires ${token.expiresAt}` : 'active';
}

export default class TokenList extends ClientCommand<typeof TokenList> {
  static override summary = 'List access tokens, newest first (needs an admin token).';
  static override description =
    'Shows each token’s id, role, subject, age, who made it and whether it is active, expired or revoked. The tokens themselves are never stored, so never shown; revoke one with `nexa token revoke ID`.';
  static override examples = [
    '<%= config.bin %> token list',
    "<%= config.bin %> token list --json | jq -r '.[] | select(.revokedAt == null) | .id'",
  ];

  async run(): Promise<TokenListing[]> {
    const tokens = await this.call((client) => client.tokens.list.query());
    if (!this.jsonEnabled()) {
      this.log(
        table(
          ['ID', 'ROLE', 'SUBJECT', 'CREATED', 'BY', 'STATE'],
          tokens.map((t) => [t.id, t.role, t.subject, ago(t.createdAt), t.createdBy ?? 'nexa', state(t)]),
        ),
      );
    }
    return tokens;
  }
}
