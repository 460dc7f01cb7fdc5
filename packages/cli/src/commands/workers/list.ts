import type { WorkerInfo } from '@nexa/core';
import { ClientCommand } from '../../clientCommand.js';
import { ago, labelsText } from '../../output/format.js';
import { table } from '../../output/table.js';

export default class WorkersList extends ClientCommand<typeof WorkersList> {
  static override summary = 'List the workers that have registered, and what they are running.';
  static override description =
    'PROJECTS: the projects a worker takes tasks of (all: every one). Members and viewers see only the workers that serve one of their projects.';
  static override examples = ['<%= config.bin %> workers list', '<%= config.bin %> workers list --json'];

  async run(): Promise<WorkerInfo[]> {
    const workers = await this.call((client) => client.workers.list.query());
    if (!this.jsonEnabled()) {
      this.log(
        workers.length === 0
          ? 'No workers yet. Start one with: nexa worker --server URL --token TOKEN'
          : table(
              [
                'NAME',
                'ID',
                'STATUS',
                'RUNNING',
                'LABELS',
                'PROJECTS',
                'SANDBOXES',
                'AGENTS',
                'VERSION',
                'LAST SEEN',
              ],
              workers.map((w) => [
                w.name,
                w.id,
                w.status,
                `${w.running}/${w.capacity}`,
                labelsText(w.labels),
                w.projects?.join(',') ?? 'all',
                w.sandboxes.join(','),
                w.agents.join(','),
                w.version,
                ago(w.lastSeenAt),
              ]),
            ),
      );
      // Agents a worker has but cannot run, each with what to do about it.
      for (const worker of workers) {
        for (const { agent, reason } of worker.unavailableAgents) {
          this.log(`${worker.name}: ${agent} unavailable: ${reason}`);
        }
      }
    }
    return workers;
  }
}
