import type { ThreadMessage } from '@nexa/core';
import { z } from 'zod';
import { defineTool, reads } from '../tool.js';
import { timeoutSeconds, waitMs } from '../waiting.js';
import { threadOf } from './threadOf.js';
import { lastSeqOf, messageForModel, waitForMessage } from './threadWatch.js';

const DEFAULT_SECONDS = 300;

export const waitForReply = defineTool({
  name: 'wait_for_reply',
  title: 'Wait for a reply',
  description:
    'Block until someone else posts in a thread (after after_seq, default: now), or with reply_to until that message has an answer (at once if it already has one); returns the message, or timedOut after timeout_seconds. Example: {"reply_to": "m-01jabc", "timeout_seconds": 600}',
  inputSchema: {
    thread_id: z.string().optional().describe("The thread to wait on; default: your own task's thread."),
    reply_to: z.string().optional().describe('Wait for a message that replies to this message id.'),
    after_seq: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Only messages after this seq; default: the last one now.'),
    timeout_seconds: timeoutSeconds(DEFAULT_SECONDS),
  },
  annotations: reads,
  async run(input, context) {
    const self = await context.identity();
    const threadId = threadOf(input.thread_id, self);
    const seconds = input.timeout_seconds ?? DEFAULT_SECONDS;
    const timeoutMs = waitMs(seconds, context.waitLimitMs);
    const fromOthers = (message: ThreadMessage) =>
      self.taskId === null || message.author.taskId !== self.taskId;
    const replyTo = input.reply_to;
    // A reply may be older than this call: look from the start of the thread for one.
    const afterSeq = replyTo
      ? (input.after_seq ?? 0)
      : (input.after_seq ?? (await lastSeqOf(context, threadId)));
    const waited = await waitForMessage(
      context,
      threadId,
      afterSeq,
      (message) => (replyTo ? message.replyTo === replyTo : fromOthers(message)),
      timeoutMs,
    );
    if ('timedOut' in waited) {
      return { timedOut: true, waitedSeconds: Math.round(timeoutMs / 1000), threadId, afterSeq };
    }
    return messageForModel(waited.found);
  },
});
