import { NexaError } from '@nexa/core';
import type { McpIdentity } from '../tool.js';

/** The thread a tool works on: the one named, else the calling task's own (its id). */
export function threadOf(threadId: string | undefined, identity: McpIdentity): string {
  const thread = threadId ?? identity.taskId;
  if (!thread) {
    throw new NexaError(
      'invalid_input',
      'no thread_id given, and this token belongs to no task: name a thread',
    );
  }
  return thread;
}
