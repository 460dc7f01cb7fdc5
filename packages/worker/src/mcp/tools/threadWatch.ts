import type { ThreadMessage } from '@nexa/core';
import type { ToolContext } from '../tool.js';
import { waitOnSubscription } from '../waiting.js';

/**
 * The first message of `threadId` after `afterSeq` that `accept` takes,
 * from the thread's watch (the database first, then live), or the timeout.
 */
export function waitForMessage(
  { client, signal }: ToolContext,
  threadId: string,
  afterSeq: number,
  accept: (message: ThreadMessage) => boolean,
  timeoutMs: number,
) {
  return waitOnSubscription(
    (handlers) =>
      client.threads.watch.subscribe(
        { threadId, lastEventId: String(afterSeq) },
        {
          onData: ({ data }) => handlers.onData(data),
          onError: handlers.onError,
          onComplete: handlers.onComplete,
        },
      ),
    (message: ThreadMessage) => (accept(message) ? message : undefined),
    timeoutMs,
    signal,
  );
}

/** The last seq of a thread now: messages are never removed, so it is the thread's message count. */
export async function lastSeqOf({ client }: ToolContext, threadId: string): Promise<number> {
  const { thread } = await client.threads.get.query({ threadId, afterSeq: 0, limit: 1 });
  return thread.messages;
}

/** A message as a tool returns it to a model. */
export function messageForModel(m: ThreadMessage) {
  return {
    id: m.id,
    threadId: m.threadId,
    seq: m.seq,
    author: m.author.taskId ? `${m.author.name} (task ${m.author.taskId})` : m.author.name,
    kind: m.kind,
    replyTo: m.replyTo,
    createdAt: m.createdAt,
    body: m.body,
  };
}
