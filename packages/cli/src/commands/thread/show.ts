import { limits, type Thread, type ThreadMessage, visible } from '@nexa/core';
import { Args } from '@oclif/core';
import { ClientCommand } from '../../clientCommand.js';
import { threadTree } from '../../output/thread.js';

export interface ThreadShown {
  thread: Thread;
  messages: ThreadMessage[];
}

export default class ThreadShow extends ClientCommand<typeof ThreadShow> {
  static override summary = 'Show a thread as a tree: each reply under the message it answers.';
  static override description =
    'Each message shows its id (for nexa say --reply-to), its seq (for nexa thread watch --since), its author and when it was posted.';
  static override examples = [
    '<%= config.bin %> thread show t-01jabc',
    '<%= config.bin %> thread show h-01jabc --json',
  ];
  static override args = {
    id: Args.string({ description: 'Thread id (a task id, or h-...).', required: true }),
  };

  async run(): Promise<ThreadShown> {
    const threadId = this.args.id;
    const messages: ThreadMessage[] = [];
    let thread: Thread | undefined;
    for (let after = 0; ; ) {
      const page = await this.call((client) =>
        client.threads.get.query({ threadId, afterSeq: after, limit: limits.listing.rows }),
      );
      thread = page.thread;
      messages.push(...page.messages);
      const last = page.messages.at(-1);
      if (!last || page.messages.length < limits.listing.rows) break;
      after = last.seq;
    }
    if (!this.jsonEnabled()) {
      this.log(visible(`${thread.title}  (${thread.id}, ${thread.messages} message(s))`));
      if (messages.length > 0) this.log(threadTree(messages).join('\n'));
    }
    return { thread, messages };
  }
}
