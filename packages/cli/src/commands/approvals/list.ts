import { type Approval, approvalStatuses } from '@nexa/core';
import { Flags } from '@oclif/core';
import type { NexaClient } from '../../client/createClient.js';
import { ClientCommand } from '../../clientCommand.js';
import { untilSignal } from '../../lib/untilSignal.js';
import { ago } from '../../output/format.js';
import { table } from '../../output/table.js';

const short = (text: string | null | undefined, max = 50) =>
  !text ? '-' : text.length > max ? `${text.slice(0, max - 1)}…` : text;

function rows(approvals: readonly Approval[]): string[][] {
  return approvals.map((a) => [
    a.id,
    a.taskId,
    a.status,
    a.risk,
    `${a.tool}: ${short(a.action, 60)}`,
    a.decidedBy ?? '-',
    short(a.rule ?? a.reason, 60),
    ago(a.createdAt),
  ]);
}

const HEADER = ['ID', 'TASK', 'STATUS', 'RISK', 'ACTION', 'DECIDED BY', 'RULE / REASON', 'ASKED'];

export default class ApprovalsList extends ClientCommand<typeof ApprovalsList> {
  static override summary = "List agents' permission requests across all workers, newest first.";
  static override description =
    `Every request an agent made, with how it was decided: by which rule, by whom (a person's token, "policy", "timeout"), and why. Answer a pending one with nexa approve ID or nexa deny ID --reason "...".

With --watch, prints the list and then each new request and each decision as it happens, until Ctrl-C; with --json --watch, one JSON object per line.`;
  static override examples = [
    '<%= config.bin %> approvals list',
    '<%= config.bin %> approvals list --status pending --watch',
    '<%= config.bin %> approvals list --task t-01abc --json',
  ];

  static override flags = {
    status: Flags.option({
      options: approvalStatuses,
      description: 'Only requests in this state. Repeatable.',
      multiple: true,
    })(),
    task: Flags.string({ description: 'Only the requests of this task.' }),
    limit: Flags.integer({ description: 'At most this many.', default: 100, min: 1, max: 10_000 }),
    watch: Flags.boolean({
      char: 'w',
      description: 'Keep printing new requests and decisions.',
      default: false,
    }),
  };

  async run(): Promise<Approval[] | undefined> {
    const { status, task, limit, watch } = this.flags;
    const filter = { ...(status?.length ? { status } : {}), ...(task ? { taskId: task } : {}), limit };
    if (watch) {
      await this.watch(
        filter,
        (a) => (!status?.length || status.includes(a.status)) && (!task || a.taskId === task),
      );
      return undefined; // what it printed as it went is the output
    }
    const approvals = await this.call((client) => client.approvals.list.query(filter));
    if (!this.jsonEnabled()) {
      this.log(approvals.length === 0 ? 'No approval requests.' : table(HEADER, rows(approvals)));
    }
    return approvals;
  }

  /**
   * The list, then every change. The feed is opened first and the list read
   * once it has started, so a request made in between is in one or the other
   * (printed once: each state of a request is printed at most once).
   */
  private async watch(
    filter: Parameters<NexaClient['approvals']['list']['query']>[0],
    wanted: (a: Approval) => boolean,
  ): Promise<void> {
    const json = this.jsonEnabled();
    const printed = new Set<string>();
    const print = (approvals: Approval[], header = false) => {
      const fresh = approvals.filter((a) => !printed.has(`${a.id}:${a.status}`));
      for (const a of fresh) printed.add(`${a.id}:${a.status}`);
      if (json) for (const a of fresh) process.stdout.write(`${JSON.stringify(a)}\n`);
      else if (header || fresh.length > 0) {
        const lines = table(HEADER, rows(fresh)).split('\n');
        process.stdout.write(`${(header ? lines : lines.slice(1)).join('\n')}\n`);
      }
    };
    const client = await this.client();
    let early: Approval[] | undefined = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = client.approvals.watch.subscribe(undefined, {
        onStarted: () => {
          client.approvals.list
            .query(filter)
            .then((initial) => {
              print([...initial].reverse(), true);
              print((early ?? []).filter(wanted));
              early = undefined;
            })
            .catch(reject);
        },
        onData: (a) => {
          if (early) early.push(a);
          else if (wanted(a)) print([a]);
        },
        onError: (error) => reject(error),
        onComplete: () => resolve(),
      });
      void untilSignal().then(() => {
        subscription.unsubscribe();
        resolve();
      });
    }).catch(async (error: unknown) => {
      throw await this.translate(error);
    });
  }
}
