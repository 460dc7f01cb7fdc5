import { z } from 'zod';
import { defineTool, reads, rowLimit } from '../tool.js';
import { threadOf } from './threadOf.js';
import { messageForModel } from './threadWatch.js';

export const readThread = defineTool({
  name: 'read_thread',
  title: 'Read a thread',
  description:
    'Read a thread\'s messages oldest first, each with its id, seq, author, kind and reply_to; without thread_id, your own task\'s thread. Example: {"thread_id": "h-01jabc", "after_seq": 10}',
  inputSchema: {
    thread_id: z.string().optional().describe("The thread to read; default: your own task's thread."),
    after_seq: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Only messages after this seq (default 0: from the start).'),
    limit: rowLimit(100, 'messages'),
  },
  annotations: reads,
  async run(input, { client, identity }) {
    const limit = input.limit ?? 100;
    const { thread, messages } = await client.threads.get.query({
      threadId: threadOf(input.thread_id, await identity()),
      afterSeq: input.after_seq ?? 0,
      limit,
    });
    const last = messages.at(-1);
    return {
      thread: { id: thread.id, title: thread.title, taskId: thread.taskId, messages: thread.messages },
      messages: messages.map(messageForModel),
      ...(messages.length === limit && last ? { more: `read on with after_seq ${last.seq}` } : {}),
    };
  },
});
