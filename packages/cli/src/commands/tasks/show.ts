import { limits, type Task, type TaskDetail, visible } from '@nexa/core';
import { Args } from '@oclif/core';
import type { NexaClient } from '../../client/createClient.js';
import { ClientCommand } from '../../clientCommand.js';
import { attemptLines, taskSummary, whatRuns } from '../../output/format.js';

export default class TasksShow extends ClientCommand<typeof TasksShow> {
  static override summary = 'Show one task, with the tree of sub-tasks it started.';
  static override examples = [
    '<%= config.bin %> tasks show t-01abc',
    '<%= config.bin %> tasks show t-01abc --json',
  ];
  static override args = { id: Args.string({ description: 'Task id.', required: true }) };

  async run(): Promise<TaskDetail> {
    const task = await this.call((client) => client.tasks.get.query({ id: this.args.id }));
    if (!this.jsonEnabled()) {
      const rows = taskSummary(task);
      if (task.parentId) rows.splice(1, 0, ['Parent', task.parentId]);
      const width = Math.max(...rows.map(([key]) => key.length));
      this.log(rows.map(([key, value]) => `${`${key}:`.padEnd(width + 2)}${visible(value)}`).join('\n'));
      if (task.attempts.length > 0)
        this.log(['Attempts:', ...attemptLines(task).map((line) => visible(line))].join('\n'));
      if (task.children.length > 0) {
        const lines = await this.call((client) => childLines(client, task.children, 1));
        this.log(['Sub-tasks:', ...lines].join('\n'));
      }
    }
    return task;
  }
}

/** The sub-task tree under a task, one line each, indented per depth (bounded by the depth limit). */
async function childLines(client: NexaClient, children: readonly Task[], depth: number): Promise<string[]> {
  const lines: string[] = [];
  for (const child of children) {
    const exit = child.exitCode === null ? '' : ` exit ${child.exitCode}`;
    lines.push(
      visible(
        `${'  '.repeat(depth)}${child.id}  ${child.status}${exit}  ${child.workerName ?? '-'}  ${whatRuns(child)}`,
      ),
    );
    if (depth <= limits.subtasks.depth) {
      const grandchildren = await client.tasks.list.query({
        project: child.project,
        parentId: child.id,
        limit: limits.subtasks.childrenPerTask,
      });
      // Oldest first, as a task's own children are listed.
      lines.push(...(await childLines(client, [...grandchildren].reverse(), depth + 1)));
    }
  }
  return lines;
}
