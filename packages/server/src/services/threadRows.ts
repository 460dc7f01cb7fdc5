import { limits, type MessageAuthor, TERMINAL_CONTROLS, type Thread, type ThreadMessage } from '@nexa/core';
import type { messages, threads } from '../db/schema.js';
import { iso } from './taskRows.js';

export type ThreadRow = typeof threads.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;

const CONTROLS = new RegExp(TERMINAL_CONTROLS.source, 'g');

/** A task thread's title: the first line of its prompt (or its command), readable in one listing row. */
export function titleOf(text: string): string {
  const line = (text.split('\n').find((part) => part.trim() !== '') ?? '').replace(CONTROLS, ' ').trim();
  const max = limits.conversation.threadTitleChars;
  if (line === '') return 'untitled';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function threadFromRow(row: ThreadRow): Thread {
  return {
    id: row.id,
    project: row.project,
    title: row.title,
    taskId: row.taskId,
    createdBy: row.createdBy,
    createdAt: new Date(row.createdAt).toISOString(),
    // last_message_at starts at the creation time so that listings order by activity from an index.
    lastMessageAt: row.messages === 0 ? null : iso(row.lastMessageAt),
    messages: row.messages,
  };
}

export function messageFromRow(row: MessageRow): ThreadMessage {
  return {
    id: row.id,
    threadId: row.threadId,
    project: row.project,
    seq: row.seq,
    author: {
      kind: row.authorKind,
      name: row.authorName,
      taskId: row.authorTaskId,
      workerName: row.authorWorkerName,
    },
    kind: row.kind,
    body: row.body,
    replyTo: row.replyTo,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

export function authorColumns(author: MessageAuthor) {
  return {
    authorKind: author.kind,
    authorName: author.name,
    authorTaskId: author.taskId,
    authorWorkerName: author.workerName,
  };
}

/** What a message costs a live reader's buffer. */
export function messageSize(message: ThreadMessage): number {
  return message.body.length + 256;
}
