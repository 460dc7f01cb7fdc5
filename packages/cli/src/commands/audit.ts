import { type AuditEntry, auditActions, limits } from '@nexa/core';
import { Flags } from '@oclif/core';
import { ClientCommand, projectName } from '../clientCommand.js';
import { sinceTime } from '../lib/since.js';
import { auditTable } from '../output/audit.js';

export default class Audit extends ClientCommand<typeof Audit> {
  static override summary = 'Show the audit log: who did what, when, and from where.';
  static override description =
    `Failed logins, tokens made and revoked, workers joined, refused and revoked, secrets set and removed, projects made and removed, approval decisions, cancellations, policy changes and rate limits, newest first. An admin sees every entry; a member only those of its projects.`;
  static override examples = [
    '<%= config.bin %> audit --since 1h',
    '<%= config.bin %> audit --action auth.failed --since 2026-11-26T10:00Z',
    '<%= config.bin %> audit --project web --json',
  ];

  static override flags = {
    since: Flags.string({
      description: 'Only entries since then: a time ago (30m, 1h, 7d) or a date (ISO 8601).',
    }),
    project: Flags.string({ description: 'Only entries of this project.' }),
    action: Flags.option({ options: auditActions, description: 'Only entries of this action.' })(),
    limit: Flags.integer({ description: 'At most this many.', default: 100, min: 1, max: limits.audit.rows }),
  };

  async run(): Promise<AuditEntry[]> {
    const { since, project, action, limit } = this.flags;
    const query = {
      limit,
      ...(since === undefined ? {} : { sinceMs: sinceTime(since) }),
      ...(project === undefined ? {} : { project: projectName(project) }),
      ...(action === undefined ? {} : { action }),
    };
    const entries = await this.call((client) => client.audit.list.query(query));
    if (!this.jsonEnabled()) this.log(entries.length === 0 ? 'No audit entries.' : auditTable(entries));
    return entries;
  }
}
