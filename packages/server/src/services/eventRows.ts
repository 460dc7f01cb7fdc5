import type { InStatement } from '@libsql/client';
import type { StoredTaskEvent, TaskEvent, TaskEventBody } from '@nexa/core';
import type { taskEvents } from '../db/schema.js';

export type EventRow = typeof taskEvents.$inferSelect;

export function eventRow(taskId: string, attempt: number, event: TaskEvent): EventRow {
  const { seq, at, ...body } = event;
  return { taskId, seq, attempt, kind: body.kind, body: JSON.stringify(body), at };
}

export function eventFromRow(row: EventRow): StoredTaskEvent {
  return {
    ...(JSON.parse(row.body) as TaskEventBody),
    seq: row.seq,
    at: row.at,
    attempt: row.attempt,
  } as StoredTaskEvent;
}

/** Rows per INSERT: 6 variables each, far below SQLite's 32,766 per statement. */
const ROWS_PER_INSERT = 1000;
const COLUMNS = 6;
const texts = new Map<number, string>();

/** `INSERT ... VALUES (...), (...) ...` for n rows, built once per n. */
function insertText(rows: number): string {
  let text = texts.get(rows);
  if (!text) {
    const values = new Array(rows).fill('(?, ?, ?, ?, ?, ?)').join(', ');
    text = `INSERT INTO task_events (task_id, seq, attempt, kind, body, at) VALUES ${values} ON CONFLICT DO NOTHING`;
    if (texts.size > 64) texts.clear(); // many sizes are seen; only recent ones are worth keeping
    texts.set(rows, text);
  }
  return text;
}

/**
 * Multi-row inserts of event rows, written by hand: drizzle's builder spends
 * more time on a thousand rows than SQLite takes to store them. Only new rows
 * reach here (AppendGroups.check drops what a retried batch repeats); the
 * conflict clause is the database's own guard against a duplicate.
 */
export function insertEventRows(rows: readonly EventRow[]): InStatement[] {
  const statements: InStatement[] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + ROWS_PER_INSERT);
    const args = new Array(chunk.length * COLUMNS);
    chunk.forEach((row, i) => {
      const at = i * COLUMNS;
      args[at] = row.taskId;
      args[at + 1] = row.seq;
      args[at + 2] = row.attempt;
      args[at + 3] = row.kind;
      args[at + 4] = row.body;
      args[at + 5] = row.at;
    });
    statements.push({ sql: insertText(chunk.length), args });
  }
  return statements;
}
