import type { PresenceEntry } from '@nexa/core';
import { ClientCommand, chosenProject, projectFlags } from '../clientCommand.js';
import { ago } from '../output/format.js';
import { table } from '../output/table.js';

export default class Who extends ClientCommand<typeof Who> {
  static override summary = 'Who is online: people (and what they use), workers, and running agents.';
  static override description =
    "People are online while a CLI or TUI session holds a connection, and listed with when they were last seen after; agents are the project's running tasks.";
  static override examples = ['<%= config.bin %> who', '<%= config.bin %> who --project web-app --json'];
  static override flags = { ...projectFlags };

  async run(): Promise<PresenceEntry[]> {
    const project = chosenProject(this.flags.project);
    const entries = await this.call((client) => client.presence.who.query({ project }));
    if (!this.jsonEnabled()) {
      this.log(
        entries.length === 0
          ? 'Nobody is online.'
          : table(
              ['KIND', 'NAME', 'DETAIL', 'ONLINE', 'LAST SEEN'],
              entries.map((e) => [
                e.kind,
                e.name,
                e.detail,
                e.online ? 'yes' : 'no',
                e.online ? 'now' : ago(e.lastSeenAt),
              ]),
            ),
      );
    }
    return entries;
  }
}
