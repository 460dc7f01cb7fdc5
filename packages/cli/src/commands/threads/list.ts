import type { Thread } from '@nexa/core';
import { ClientCommand, chosenProject, projectFlags } from '../../clientCommand.js';
import { pageFlags, printNextPage } from '../../lib/paging.js';
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
    ...pageFlags,
  };

  async run(): Promise<Thread[]> {
    const project = chosenProject(this.flags.project);
    const { limit, cursor } = this.flags;
    const { items, nextCursor } = await this.call((client) =>
      client.threads.list.query({ project, limit, ...(cursor ? { cursor } : {}) }),
    );
    if (!this.jsonEnabled()) {
      this.log(
        items.length === 0
          ? cursor
            ? 'No more threads.'
            : `No threads${project ? ` in project ${project}` : ''} yet. Start one with: nexa threads create "TITLE"`
          : table(
              ['ID', 'TITLE', 'MESSAGES', 'LAST MESSAGE', 'CREATED BY'],
              items.map((t) => [t.id, t.title, String(t.messages), ago(t.lastMessageAt), t.createdBy]),
            ),
      );
    }
    printNextPage(`nexa threads list ${project ? `--project ${project} ` : ''}--limit ${limit}`, nextCursor);
    return items;
  }
}
