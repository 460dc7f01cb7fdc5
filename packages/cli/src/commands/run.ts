import { exitCodes, NexaError, parseLabels, type Task } from '@nexa/core';
import { Flags } from '@oclif/core';
import { ClientCommand } from '../clientCommand.js';
import { exitCodeFor } from '../lib/exitCode.js';
import { followTask, printEvent, printEventJson } from '../lib/followTask.js';

export interface RunResult {
  type: 'result';
  taskId: string;
  status: Task['status'];
  exitCode: number | null;
  reason: string | null;
}

function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new NexaError('invalid_input', `--env "${pair}" is not NAME=VALUE`, {
        hint: 'e.g. --env DEBUG=1',
      });
    }
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

export default class Run extends ClientCommand<typeof Run> {
  static override summary = 'Run a command on a worker and stream its output.';
  static override description =
    `Submits a task, prints its stdout and stderr as they happen, and exits with the task's exit code: 124 if it timed out, 125 if Nexa itself failed (no server, bad token, bad input), 130 if it was cancelled.

With --json, prints one JSON object per event and a final {"type":"result",...} line.`;
  static override examples = [
    '<%= config.bin %> run -- make test',
    `<%= config.bin %> run --label gpu=1 --env SEED=42 -- python train.py`,
    `<%= config.bin %> run --detach -- sh -c 'sleep 60; echo done'`,
    '<%= config.bin %> run --json -- echo hello',
  ];
  static override strict = false;
  static override usage = 'run [FLAGS] -- COMMAND [ARGS...]';

  static override flags = {
    label: Flags.string({
      char: 'l',
      description: 'Only run on a worker with this label (key=value). Repeatable.',
      multiple: true,
      default: [],
    }),
    env: Flags.string({
      char: 'e',
      description:
        "Set an environment variable for the task (NAME=VALUE). Repeatable. The worker's own environment is never passed.",
      multiple: true,
      default: [],
    }),
    priority: Flags.integer({ description: 'Higher runs first.', default: 0, min: -1000, max: 1000 }),
    detach: Flags.boolean({ char: 'd', description: 'Print the task id and exit at once.', default: false }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Run);
    const command = (argv as string[]).filter((arg, index) => !(index === 0 && arg === '--'));
    if (command.length === 0) {
      throw new NexaError('invalid_input', 'nothing to run', {
        hint: 'put the command after --, e.g. nexa run -- echo hello',
      });
    }
    const task = await this.call((client) =>
      client.tasks.submit.mutate({
        agent: 'shell',
        command,
        env: parseEnv(flags.env),
        labels: parseLabels(flags.label),
        priority: flags.priority,
      }),
    );

    if (flags.detach) {
      if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ id: task.id })}\n`);
      else process.stdout.write(`${task.id}\n`);
      return;
    }

    const json = this.jsonEnabled();
    const client = await this.client();
    let final: Awaited<ReturnType<typeof followTask>>;
    try {
      final = await followTask(client, task.id, 0, (event) =>
        json ? printEventJson(task.id, event) : printEvent(event),
      );
    } catch (error) {
      throw await this.translate(error);
    }
    if (!final) throw new NexaError('internal', `the stream of task ${task.id} ended before the task did`);
    const result: RunResult = {
      type: 'result',
      taskId: task.id,
      status: final.status,
      exitCode: final.exitCode ?? null,
      reason: final.reason ?? null,
    };
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exitCode = exitCodeFor(final.status, final.exitCode);
    if (process.exitCode === exitCodes.nexaFailed && !json) {
      process.stderr.write(
        `nexa: task ${task.id} ${final.status}${final.reason ? `: ${final.reason}` : ''}\n`,
      );
    }
  }
}
