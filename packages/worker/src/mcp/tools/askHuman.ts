import { z } from 'zod';
import { defineTool, writes } from '../tool.js';
import { timeoutSeconds, waitMs } from '../waiting.js';
import { waitForMessage } from './threadWatch.js';

const DEFAULT_SECONDS = 1800;

export const askHuman = defineTool({
  name: 'ask_human',
  title: 'Ask a person',
  description:
    'Ask the people watching a free-form question and block until one answers in text (or timeout_seconds pass); the question shows in their approvals queue and in your thread. Example: {"question": "Should the migration drop the old column?", "timeout_seconds": 1800}',
  inputSchema: {
    question: z.string().describe('The question, in markdown; say what you need to decide.'),
    timeout_seconds: timeoutSeconds(DEFAULT_SECONDS),
  },
  annotations: writes,
  async run(input, context) {
    const timeoutMs = waitMs(input.timeout_seconds ?? DEFAULT_SECONDS, context.waitLimitMs);
    const { approvalId, message } = await context.client.threads.ask.mutate({ question: input.question });
    const waited = await waitForMessage(
      context,
      message.threadId,
      message.seq,
      (reply) => reply.replyTo === message.id,
      timeoutMs,
    );
    if ('timedOut' in waited) {
      return {
        timedOut: true,
        waitedSeconds: Math.round(timeoutMs / 1000),
        approvalId,
        questionId: message.id,
        note: `nobody answered yet; the question stays open: wait_for_reply with reply_to "${message.id}" waits on`,
      };
    }
    return { answer: waited.found.body, by: waited.found.author.name, approvalId };
  },
});
