import { MessageKind } from '@nexa/core';
import { z } from 'zod';
import { defineTool, writes } from '../tool.js';
import { threadOf } from './threadOf.js';

export const postMessage = defineTool({
  name: 'post_message',
  title: 'Post a message',
  description:
    'Post a markdown message in a thread of this project; without thread_id it goes to your own task\'s thread, which the person who started you reads. Example: {"body": "Tests pass; starting on the docs.", "reply_to": "m-01jabc"}',
  inputSchema: {
    body: z.string().describe('The message, in markdown.'),
    thread_id: z.string().optional().describe("The thread to post in; default: your own task's thread."),
    reply_to: z.string().optional().describe('The id of the message this one answers.'),
    kind: MessageKind.optional().describe('request asks for something, answer gives it; default message.'),
  },
  annotations: writes,
  async run(input, { client, identity }) {
    const message = await client.threads.post.mutate({
      threadId: threadOf(input.thread_id, await identity()),
      body: input.body,
      ...(input.kind ? { kind: input.kind } : {}),
      ...(input.reply_to ? { replyTo: input.reply_to } : {}),
    });
    return { id: message.id, threadId: message.threadId, seq: message.seq };
  },
});
