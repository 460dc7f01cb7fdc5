import { visible } from '@nexa/core';
import { Args } from '@oclif/core';
import { ClientCommand } from '../../clientCommand.js';
import type { TokenListing } from './list.js';

export default class TokenRevoke extends ClientCommand<typeof TokenRevoke> {
  static override summary = 'Revoke an access token at once (needs an admin token).';
  static override description =
    'Requests with the token are refused from now on, and connections opened with it (a worker, a TUI) are closed within a second.';
  static override examples = ['<%= config.bin %> token revoke 3f2a…', '<%= config.bin %> token list'];
  static override args = {
    id: Args.string({ description: 'Token id, as `nexa token list` shows it.', required: true }),
  };

  async run(): Promise<TokenListing> {
    const revoked = await this.call((client) => client.tokens.revoke.mutate({ id: this.args.id }));
    if (!this.jsonEnabled()) this.log(`revoked ${revoked.id} (${revoked.role}, ${visible(revoked.subject)})`);
    return revoked;
  }
}
