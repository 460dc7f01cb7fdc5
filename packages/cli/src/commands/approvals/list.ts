import { type Approval, approvalStatuses } from '@nexa/core';
import { Flags } from '@oclif/core';
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
    const approvals = await this.call((client) => client.approvals.list.query(filter));
    const json = this.jsonEnabled();
    if (!watch) {
      if (!json) {
        this.log(approvals.length === 0 ? 'No approval requests.' : table(HEADER, rows(approvals)));
      }
      return approvals;
    }
    await this.watch(
      approvals,
      (a) => (!status?.length || status.includes(a.status)) && (!task || a.taskId === task),
    );
    return undefined; // what it printed as it went is the output
  }

  private async watch(initial: Approval[], wanted: (a: Approval) => boolean): Promise<void> {
    const json = this.jsonEnabled();
    const print = (a: Approval) =>
      process.stdout.write(
        json
          ? `${JSON.stringify(a)}\n`
          : `${table(HEADER, rows([a]))
              .split('\n')
              .slice(1)
              .join('\n')}\n`,
      );
    if (json) for (const a of [...initial].reverse()) print(a);
    else this.log(table(HEADER, rows([...initial].reverse())));
    const client = await this.client();
    await new Promise<void>((resolve, reject) => {
      const subscription = client.approvals.watch.subscribe(undefined, {
        onData: (a) => wanted(a) && print(a),
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
