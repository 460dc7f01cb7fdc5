import { MessageKind, type ThreadMessage } from '@nexa/core';
import { Args, Flags } from '@oclif/core';
import { ClientCommand } from '../clientCommand.js';

export default class Say extends ClientCommand<typeof Say> {
  static override summary =
    "Post a message in a thread; in a running task's thread it is the agent's next turn.";
  static override description =
    "A task's thread has the task's id: a message there reaches its running agent as its next user turn (Claude Code, Codex, ACP agents). Prints the new message's id, for --reply-to.";
  static override examples = [
    '<%= config.bin %> say t-01jabc "Also update the changelog"',
    '<%= config.bin %> say h-01jabc "Looks good" --reply-to m-01jdef',
    '<%= config.bin %> say h-01jabc "Can someone review the parser?" --kind request',
  ];
  static override args = {
    thread: Args.string({ description: 'Thread id (a task id, or h-...).', required: true }),
    text: Args.string({ description: 'The message, in markdown.', required: true }),
  };
  static override flags = {
    'reply-to': Flags.string({ description: 'The id of the message this one answers.' }),
    kind: Flags.option({
      options: MessageKind.options,
      description: 'request asks for something, answer gives it.',
      default: 'message' as const,
    })(),
  };

  async run(): Promise<ThreadMessage> {
    const replyTo = this.flags['reply-to'];
    const message = await this.call((client) =>
      client.threads.post.mutate({
        threadId: this.args.thread,
        body: this.args.text,
        kind: this.flags.kind,
        ...(replyTo ? { replyTo } : {}),
      }),
    );
    if (!this.jsonEnabled()) this.log(message.id);
    return message;
  }
}
