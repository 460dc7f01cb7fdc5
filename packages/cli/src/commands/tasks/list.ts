import { type Task, TaskStatus } from '@nexa/core';
import { Flags } from '@oclif/core';
import { ClientCommand, projectName } from '../../clientCommand.js';
import { pageFlags, printNextPage } from '../../lib/paging.js';
import { ago, whatRuns } from '../../output/format.js';
import { table } from '../../output/table.js';
import { type TaskInTree, taskTree, treeId } from '../../output/taskTree.js';

export default class TasksList extends ClientCommand<typeof TasksList> {
  static override summary = 'List tasks, newest first.';
  static override description =
    'One page at a time: when more tasks are left, the command for the next page is printed on stderr (next: nexa tasks list --cursor C), so --json stays a plain array on stdout.';
  static override examples = [
    '<%= config.bin %> tasks list',
    '<%= config.bin %> tasks list --status running',
    '<%= config.bin %> tasks list --tree --project web-app',
    '<%= config.bin %> tasks list --json | jq -r ".[].id"',
    '<%= config.bin %> tasks list --limit 100 --cursor MTcxOTk5OTk5OTk5OS50LTAxYWJj',
  ];
  static override flags = {
    // Unlike threads and keys, a listing of tasks spans every project unless one is asked for.
    project: Flags.string({
      description: 'Only tasks of this project. Default: $NEXA_PROJECT when set, else every project.',
      env: 'NEXA_PROJECT',
      helpGroup: 'GLOBAL',
    }),
    tree: Flags.boolean({
      description: 'Show sub-tasks under the task that started them (those on this page).',
      default: false,
    }),
    status: Flags.option({ options: TaskStatus.options, description: 'Only tasks in this status.' })(),
    ...pageFlags,
  };

  async run(): Promise<Task[]> {
    const { status, limit, cursor, tree } = this.flags;
    const project = this.flags.project === undefined ? undefined : projectName(this.flags.project);
    const { items: tasks, nextCursor } = await this.call((client) =>
      client.tasks.page.query({
        ...(project ? { project } : {}),
        limit,
        ...(status ? { status } : {}),
        ...(cursor ? { cursor } : {}),
      }),
    );
    if (!this.jsonEnabled()) {
      this.log(
        tasks.length === 0
          ? cursor
            ? 'No more tasks.'
            : 'No tasks yet. Start one with: nexa run -- echo hello'
          : table(
              ['ID', 'STATUS', 'EXIT', 'WORKER', 'ATTEMPT', 'CREATED', 'RUNS'],
              (tree ? taskTree(tasks) : tasks.map((task): TaskInTree => ({ task, depth: 0 }))).map((row) => [
                treeId(row),
                ...columns(row.task),
              ]),
            ),
      );
    }
    const filters = [
      project ? `--project ${project} ` : '',
      tree ? '--tree ' : '',
      status ? `--status ${status} ` : '',
      `--limit ${limit}`,
    ].join('');
    printNextPage(`nexa tasks list ${filters}`, nextCursor);
    return tasks;
  }
}

/** The columns after ID. */
function columns(t: Task): string[] {
  return [
    t.status,
    t.exitCode === null ? '-' : String(t.exitCode),
    t.workerId ?? '-',
    String(t.attempt),
    ago(t.createdAt),
    whatRuns(t),
  ];
}
