import { exitCodes, NexaError, networkModes, type Task } from '@nexa/core';
import { Flags } from '@oclif/core';
import { ClientCommand, chosenProject, projectFlags } from '../clientCommand.js';
import { EventPrinter } from '../lib/eventPrinter.js';
import { exitCodeFor } from '../lib/exitCode.js';
import { followTask, printEventJson } from '../lib/followTask.js';
import { reasonText } from '../lib/reasons.js';
import { runDefaults, taskSpecFromFlags } from '../lib/taskSpecFlags.js';

export interface RunResult {
  type: 'result';
  taskId: string;
  status: Task['status'];
  exitCode: number | null;
  reason: string | null;
}

/** How long a task may sit queued before `nexa run` says why it is waiting. */
const WAITING_NOTICE_MS = 3000;

export default class Run extends ClientCommand<typeof Run> {
  static override summary = 'Run a command or a coding agent on a worker and stream what it does.';
  static override description =
    `Submits a task, prints its stdout and stderr as they happen, and exits with the task's exit code: 124 if it timed out, 125 if Nexa itself failed (no server, bad token, bad input, the worker lost with no attempts left), 130 if it was cancelled, 77 with --fail-on-deny if an approval request was denied.

A shell task's command comes after --. A coding agent (--agent claude|codex|acp) takes a prompt instead; what it says goes to stdout, and its tool calls, approval requests and decisions, and usage go to stderr. Its permission requests go to the approvals queue: your --policy rules decide first, then the project's (nexa policy show), then --approve (ask: wait for nexa approve ID or nexa deny ID; all; none). A request nobody answers is denied after --approval-timeout. A coding agent reaches its model provider and nothing else unless --network or --allow-host say more.

Ctrl-C cancels the task (SIGTERM, then SIGKILL after --grace) and waits for it to end; a second Ctrl-C detaches at once. If the worker running the task is lost, the task runs again on another worker while attempts remain (--retries).

With --json, prints one JSON object per event and a final {"type":"result",...} line.`;
  static override examples = [
    '<%= config.bin %> run -- make test',
    '<%= config.bin %> run --label gpu=1 --env SEED=42 --timeout 30m -- python train.py',
    'API_TOKEN=... <%= config.bin %> run --env API_TOKEN -- ./deploy.sh',
    `<%= config.bin %> run --detach -- sh -c 'sleep 60; echo done'`,
    '<%= config.bin %> run --retries 0 --json -- ./flaky-once.sh',
    '<%= config.bin %> run "make the failing test pass" --agent claude --repo . --policy ci-policy.json --fail-on-deny',
    '<%= config.bin %> run "add a README" --agent acp --agent-cmd "claude-agent-acp" --approve all',
  ];
  static override strict = false;
  static override usage = [
    'run [FLAGS] -- COMMAND [ARGS...]',
    'run "PROMPT" --agent claude|codex|acp [FLAGS]',
  ];

  static override flags = {
    ...projectFlags,
    agent: Flags.option({
      options: ['shell', 'claude', 'codex', 'acp'] as const,
      description: 'What runs: shell (a command, the default) or a coding agent given a prompt.',
      default: 'shell' as const,
    })(),
    'agent-cmd': Flags.string({
      description:
        'For --agent acp: the command that starts the ACP agent on the worker, e.g. "claude-agent-acp". Its first word is found on the worker (--agent-bin, then PATH).',
    }),
    policy: Flags.string({
      description:
        'A JSON file of approval rules for this task, checked before the project\'s: {"rules": [{"tool": "Bash", "command": "echo *", "decision": "allow"}, ...]}. First match decides.',
    }),
    approve: Flags.option({
      options: ['ask', 'all', 'none'] as const,
      description: 'What a request no rule matches gets: ask a person (default), or allow all, or deny all.',
      default: runDefaults.approve,
    })(),
    'approval-timeout': Flags.string({
      description: 'Deny a request nobody answered after this long.',
      default: runDefaults['approval-timeout'],
    }),
    'fail-on-deny': Flags.boolean({
      description: 'Exit 77 if any approval request was denied (by a person, a rule or the timeout).',
      default: false,
    }),
    label: Flags.string({
      char: 'l',
      description: 'Only run on a worker with this label (key=value). Repeatable.',
      multiple: true,
      default: [],
    }),
    env: Flags.string({
      char: 'e',
      description:
        "Set an environment variable for the task: NAME=VALUE, or NAME alone to pass this shell's value (keeps a secret out of argv). Repeatable. The worker's own environment is never passed.",
      multiple: true,
      default: [],
    }),
    secret: Flags.string({
      description:
        "Give the task a secret of the project (nexa secret set NAME) as the environment variable NAME; its value is redacted from the task's log. Repeatable, or comma-separated.",
      multiple: true,
      default: [],
    }),
    priority: Flags.integer({
      description: 'Higher runs first.',
      default: runDefaults.priority,
      min: -1000,
      max: 1000,
    }),
    retries: Flags.integer({
      description: 'How many times to run the task again if its worker is lost.',
      default: runDefaults.retries,
      min: 0,
      max: 99,
    }),
    timeout: Flags.string({ description: 'End the task as timed out after this long, e.g. 30s, 10m, 2h.' }),
    grace: Flags.string({
      description: 'After SIGTERM (cancel, timeout), how long before SIGKILL.',
      default: runDefaults.grace,
    }),
    repo: Flags.string({
      description:
        "Work on this git repository: a path on the worker's machine or any URL git accepts. The task gets its own copy on branch nexa/<task-id>; `nexa diff ID` shows what it changed.",
    }),
    sandbox: Flags.option({
      options: ['docker', 'bwrap', 'process'] as const,
      description:
        "Where the task runs. Default: the worker's best walled sandbox (docker when it has an image, else bwrap). process runs it unwalled, only on workers started with --allow-unsandboxed.",
    })(),
    image: Flags.string({
      description: "Container image for the docker sandbox. Default: the worker's --image.",
    }),
    network: Flags.option({
      options: networkModes,
      description:
        "How the task reaches the network (docker, bwrap): none; allowlist, only its agent's model provider and the --allow-host hosts, through the worker's proxy (refusals are egress events in nexa logs); open. Default: none for commands, allowlist for coding agents.",
    })(),
    'allow-host': Flags.string({
      description:
        'Under --network allowlist, a host it may reach too: host (ports 80 and 443), host:port, or *.domain (any name under it). Repeatable, or comma-separated.',
      multiple: true,
      delimiter: ',',
      default: [],
    }),
    memory: Flags.string({ description: 'Memory limit, e.g. 512m or 2g (docker, bwrap).' }),
    cpus: Flags.string({ description: 'CPU limit in cores, e.g. 1 or 0.5 (docker, bwrap).' }),
    pids: Flags.integer({ description: 'Limit on processes, e.g. 256 (docker, bwrap).', min: 8 }),
    detach: Flags.boolean({ char: 'd', description: 'Print the task id and exit at once.', default: false }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Run);
    const args = (argv as string[]).filter((arg, index) => !(index === 0 && arg === '--'));
    const spec = { ...taskSpecFromFlags(flags, args), project: chosenProject(flags.project) };
    const interrupts = flags.detach ? undefined : this.cancelOnInterrupt();
    const task = await this.call((client) => client.tasks.submit.mutate(spec));

    const json = this.jsonEnabled();
    if (flags.detach) {
      process.stdout.write(json ? `${JSON.stringify({ id: task.id })}\n` : `${task.id}\n`);
      return;
    }

    interrupts?.taskKnown(task.id);
    const waitingNotice = this.noticeIfWaiting(task.id);
    const client = await this.client();
    const printer = new EventPrinter();
    let denied = 0;
    let final: Awaited<ReturnType<typeof followTask>>;
    try {
      final = await followTask(client, task.id, 0, (event) => {
        if (event.kind === 'status') clearTimeout(waitingNotice);
        if (event.kind === 'approval_decided' && event.status === 'denied') denied++;
        if (json) printEventJson(task.id, event);
        else printer.print(event);
      });
    } catch (error) {
      throw await this.translate(error);
    } finally {
      clearTimeout(waitingNotice);
      interrupts?.stop();
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
    if (flags['fail-on-deny'] && denied > 0 && ['succeeded', 'failed'].includes(final.status)) {
      process.exitCode = exitCodes.denied;
      if (!json)
        process.stderr.write(
          `nexa: ${denied} approval request(s) denied; exiting ${exitCodes.denied} (--fail-on-deny)\n`,
        );
    }
    if (!json && (process.exitCode === exitCodes.nexaFailed || final.status === 'cancelled')) {
      const why = reasonText(final.reason);
      process.stderr.write(
        `nexa: task ${task.id} ${final.status}${why && why !== final.status ? `: ${why}` : ''}\n`,
      );
    }
  }

  /**
   * First Ctrl-C: cancel the task and keep streaming until it ends. Second:
   * leave at once. Installed before submitting, so a Ctrl-C that comes before
   * the task id is known still cancels the task once it is.
   */
  private cancelOnInterrupt(): { taskKnown(id: string): void; stop(): void } {
    let interrupts = 0;
    let taskId: string | undefined;
    const cancel = (id: string) => {
      process.stderr.write(`nexa: cancelling ${id} (Ctrl-C again to detach)\n`);
      this.call((client) => client.tasks.cancel.mutate({ id })).catch((error: unknown) => {
        const message = error instanceof NexaError ? error.toLine() : String(error);
        process.stderr.write(`nexa: could not cancel ${id}: ${message}\n`);
      });
    };
    const onInterrupt = () => {
      interrupts++;
      if (interrupts > 1) {
        process.stderr.write(
          taskId
            ? `nexa: detached; the task goes on being cancelled (nexa tasks show ${taskId})\n`
            : 'nexa: interrupted\n',
        );
        process.exit(exitCodes.cancelled);
      }
      if (taskId) cancel(taskId);
    };
    process.on('SIGINT', onInterrupt);
    return {
      taskKnown(id) {
        taskId = id;
        if (interrupts > 0) cancel(id);
      },
      stop: () => process.off('SIGINT', onInterrupt),
    };
  }

  /** Says why the task waits if it is still queued after a few seconds. */
  private noticeIfWaiting(taskId: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.call((client) => client.tasks.get.query({ id: taskId }))
        .then((task) => {
          if (task.status === 'queued' && task.waitingFor) {
            process.stderr.write(`nexa: task ${taskId} is waiting: ${task.waitingFor}\n`);
          }
        })
        .catch(() => {});
    }, WAITING_NOTICE_MS);
    timer.unref();
    return timer;
  }
}
