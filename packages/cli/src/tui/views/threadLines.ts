import { type MessageKind, type ThreadMessage, visible } from '@nexa/core';
import { ago } from '../../output/format.js';
import { shortId } from '../components/cells.js';
import type { TreeRow } from '../store/threadSelectors.js';

/** One screen line of a thread: the message it belongs to, and how it looks. */
export interface ThreadLine {
  messageId: string;
  text: string;
  /** The message's first line: who, what kind, when. */
  head: boolean;
  color?: string;
  dim?: boolean;
}

export const kindColors: Record<MessageKind, string | undefined> = {
  message: undefined,
  request: 'yellow',
  answer: 'green',
};

/** "alice", or "claude t-3f2a on build-1": who wrote it, from the coordinator's record. */
export function authorLabel(author: ThreadMessage['author']): string {
  if (author.kind === 'person') return visible(author.name);
  const task = author.taskId ? ` ${shortId(author.taskId)}` : '';
  const worker = author.workerName ? ` on ${visible(author.workerName)}` : '';
  return `${visible(author.name)}${task}${worker}`;
}

/** Replies deeper than this are drawn at this depth, so a long exchange stays readable at 80 columns. */
const MAX_INDENT_DEPTH = 6;

/**
 * A thread's tree as lines: each message's head (author · kind · when), then
 * its body, indented by its depth, controls escaped. The selected message
 * shows up to `selectedBodyLines` of its body, the others `bodyLines`.
 */
export function threadLines(
  rows: readonly TreeRow[],
  options: { selectedId: string | null; bodyLines: number; selectedBodyLines: number; now: number },
): ThreadLine[] {
  const lines: ThreadLine[] = [];
  for (const { message, depth } of rows) {
    const indent = '  '.repeat(Math.min(depth, MAX_INDENT_DEPTH));
    const branch = depth === 0 ? '●' : '↳';
    const head = `${indent}${branch} ${authorLabel(message.author)} · ${message.kind} · ${ago(message.createdAt, options.now)}`;
    const color = kindColors[message.kind];
    lines.push({ messageId: message.id, text: head, head: true, ...(color ? { color } : {}) });
    const body = visible(message.body.trimEnd(), { keepNewlines: true, keepTabs: true })
      .replace(/\t/g, '  ')
      .split('\n');
    const room = message.id === options.selectedId ? options.selectedBodyLines : options.bodyLines;
    const shown =
      body.length > room
        ? [...body.slice(0, Math.max(0, room - 1)), `… ${body.length - room + 1} more lines`]
        : body;
    for (const text of shown) lines.push({ messageId: message.id, text: `${indent}  ${text}`, head: false });
  }
  return lines;
}
