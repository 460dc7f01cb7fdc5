import { Flags } from '@oclif/core';
import { ClientCommand, chosenProject, projectFlags } from '../../clientCommand.js';
import { limitFlag } from '../../lib/paging.js';
import { ago } from '../../output/format.js';
import { type KvEntryShown, valueText } from '../../output/kv.js';
import { table } from '../../output/table.js';

/** A value cell is a preview: the whole value is one `nexa kv get` away. */
const VALUE_CHARS = 60;

export default class KvList extends ClientCommand<typeof KvList> {
  static override summary = "List the keys of the project's shared store, in key order.";
  static override examples = [
    '<%= config.bin %> kv list',
    '<%= config.bin %> kv list --prefix build/',
    '<%= config.bin %> kv list --json | jq -r ".[].key"',
  ];
  static override flags = {
    ...projectFlags,
    prefix: Flags.string({ description: 'Only keys that start with this.' }),
    limit: limitFlag(100),
  };

  async run(): Promise<KvEntryShown[]> {
    const project = chosenProject(this.flags.project);
    const { prefix, limit } = this.flags;
    const entries = await this.call((client) =>
      client.kv.list.query({ project, limit, ...(prefix ? { prefix } : {}) }),
    );
    if (!this.jsonEnabled()) {
      this.log(
        entries.length === 0
          ? `No keys${prefix ? ` starting with "${prefix}"` : ''} ${project ? ` in project ${project}` : ''}.`
          : table(
              ['KEY', 'VERSION', 'UPDATED', 'BY', 'VALUE'],
              entries.map((e) => {
                const value = valueText(e.value);
                return [
                  e.key,
                  String(e.version),
                  ago(e.updatedAt),
                  e.updatedBy,
                  value.length > VALUE_CHARS ? `${value.slice(0, VALUE_CHARS - 1)}…` : value,
                ];
              }),
            ),
      );
    }
    return entries;
  }
}
