import type { InStatement, InValue } from '@libsql/client';
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

/** Rows per INSERT: 12 variables each, far below SQLite's 32,766 per statement. */
const MESSAGES_PER_INSERT = 500;
const MESSAGE_COLUMNS = 12;

/**
 * Multi-row inserts of a group's messages, written by hand as event rows are:
 * drizzle's builder costs more than SQLite's insert at this rate.
 */
export function insertMessageRows(rows: readonly MessageRow[]): InStatement[] {
  const statements: InStatement[] = [];
  for (let start = 0; start < rows.length; start += MESSAGES_PER_INSERT) {
    const chunk = rows.slice(start, start + MESSAGES_PER_INSERT);
    const args: InValue[] = [];
    for (const row of chunk) {
      args.push(
        row.id,
        row.threadId,
        row.project,
        row.seq,
        row.authorKind,
        row.authorName,
        row.authorTaskId,
        row.authorWorkerName,
        row.kind,
        row.body,
        row.replyTo,
        row.createdAt,
      );
    }
    const values = new Array(chunk.length).fill(`(${new Array(MESSAGE_COLUMNS).fill('?').join(', ')})`);
    statements.push({
      sql: `INSERT INTO messages (id, thread_id, project, seq, author_kind, author_name, author_task_id, author_worker_name, kind, body, reply_to, created_at) VALUES ${values.join(', ')}`,
      args,
    });
  }
  return statements;
}

/** Threads' message counts (the seq of their newest) and last activity after a group, in one statement each 500. */
export function updateThreadCounts(
  counts: ReadonlyMap<string, { messages: number; lastMessageAt: number }>,
): InStatement[] {
  const entries = [...counts];
  const statements: InStatement[] = [];
  for (let start = 0; start < entries.length; start += MESSAGES_PER_INSERT) {
    const chunk = entries.slice(start, start + MESSAGES_PER_INSERT);
    const args: InValue[] = chunk.flatMap(([id, count]) => [id, count.messages, count.lastMessageAt]);
    statements.push({
      sql: `UPDATE threads SET messages = v.column2, last_message_at = v.column3 FROM (VALUES ${new Array(chunk.length).fill('(?, ?, ?)').join(', ')}) AS v WHERE threads.id = v.column1`,
      args,
    });
  }
  return statements;
}
