import type { ThreadMessage } from '@nexa/core';
import { Args, Flags } from '@oclif/core';
import { ClientCommand } from '../../clientCommand.js';
import { watchUntilSignal } from '../../lib/watchUntilSignal.js';
import { messageLines } from '../../output/thread.js';

export default class ThreadWatch extends ClientCommand<typeof ThreadWatch> {
  static override summary = "Print a thread's messages as they are posted, until Ctrl-C.";
  static override description =
    'Prints the messages after --since (0: from the start), then new ones live. Each shows its seq: to pick up where a watch stopped, with no gap and no duplicate, pass the last seq it printed to --since. With --json, one JSON object per message.';
  static override examples = [
    '<%= config.bin %> thread watch t-01jabc',
    '<%= config.bin %> thread watch h-01jabc --since 42',
    '<%= config.bin %> thread watch h-01jabc --json | jq -r .body',
  ];
  static override args = {
    id: Args.string({ description: 'Thread id (a task id, or h-...).', required: true }),
  };
  static override flags = {
    since: Flags.integer({ description: 'Only messages after this seq.', default: 0, min: 0 }),
  };

  async run(): Promise<void> {
    const json = this.jsonEnabled();
    const client = await this.client();
    const print = (message: ThreadMessage) => {
      if (json) process.stdout.write(`${JSON.stringify({ type: 'message', ...message })}\n`);
      else this.log(messageLines(message, 0, Date.now(), true).join('\n'));
    };
    // Tracked by seq: after a dropped connection the client resumes after the last message it got.
    const ended = watchUntilSignal(
      (handlers) =>
        client.threads.watch.subscribe(
          { threadId: this.args.id, lastEventId: String(this.flags.since) },
          { ...handlers, onData: ({ data }) => handlers.onData(data) },
        ),
      print,
    );
    try {
      await ended;
    } catch (error) {
      throw await this.translate(error);
    }
  }
}
