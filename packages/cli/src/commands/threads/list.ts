import { limits, type Thread, visible } from '@nexa/core';
import { Flags } from '@oclif/core';
import { ClientCommand, projectFlags, projectName } from '../../clientCommand.js';
import { ago } from '../../output/format.js';
import { table } from '../../output/table.js';

export default class ThreadsList extends ClientCommand<typeof ThreadsList> {
  static override summary = "List a project's threads, most recent activity first.";
  static override description =
    "Every task has a thread (its id is the task's id); free threads have h- ids. When more are left, the command for the next page is printed on stderr.";
  static override examples = [
    '<%= config.bin %> threads list',
    '<%= config.bin %> threads list --project web-app --json | jq -r ".[].id"',
  ];
  static override flags = {
    ...projectFlags,
    limit: Flags.integer({
      description: 'At most this many.',
      default: 50,
      min: 1,
      max: limits.listing.rows,
    }),
    cursor: Flags.string({ description: 'Start after the page that printed this cursor (its next: line).' }),
  };

  async run(): Promise<Thread[]> {
    const project = projectName(this.flags.project);
    const { limit, cursor } = this.flags;
    const { items, nextCursor } = await this.call((client) =>
      client.threads.list.query({ project, limit, ...(cursor ? { cursor } : {}) }),
    );
    if (!this.jsonEnabled()) {
      this.log(
        items.length === 0
          ? cursor
            ? 'No more threads.'
            : `No threads in project ${project} yet. Start one with: nexa threads create "TITLE"`
          : table(
              ['ID', 'TITLE', 'MESSAGES', 'LAST MESSAGE', 'CREATED BY'],
              items.map((t) => [t.id, t.title, String(t.messages), ago(t.lastMessageAt), t.createdBy]),
            ),
      );
    }
    if (nextCursor !== null) {
      process.stderr.write(
        `next: nexa threads list --project ${project} --limit ${limit} --cursor ${visible(nextCursor)}\n`,
      );
    }
    return items;
  }
}
