import type { MessageAuthor, ThreadMessage } from '@nexa/core';
import { visible } from '@nexa/core';
import { ago } from './format.js';

/** Who wrote a message, for a person: a name, or an agent with its task and worker. */
export function authorText(author: MessageAuthor): string {
  if (author.kind === 'person') return author.name;
  const where = [author.taskId, author.workerName && `on ${author.workerName}`].filter(Boolean).join(' ');
  return where ? `${author.name} (${where})` : author.name;
}

/**
 * A message's header and body, indented `depth` steps; every part shown with
 * its controls escaped. `withReplyTo` names the message it answers (a live
 * watch cannot place it in a tree).
 */
export function messageLines(
  message: ThreadMessage,
  depth = 0,
  now = Date.now(),
  withReplyTo = false,
): string[] {
  const indent = '  '.repeat(depth);
  const kind = message.kind === 'message' ? '' : `  [${message.kind}]`;
  const reply = withReplyTo && message.replyTo ? `  (reply to ${message.replyTo})` : '';
  const header = `${indent}${message.id}  #${message.seq}  ${visible(authorText(message.author))}  ${ago(message.createdAt, now)}${kind}${reply}`;
  const body = message.body.split('\n').map((line) => `${indent}    ${visible(line, { keepTabs: true })}`);
  return [header, ...body];
}

/**
 * A thread as a tree by reply: each message under the one it answers,
 * siblings in the order they were posted. A reply to a message not in the
 * list (outside the page) is shown at the top level.
 */
export function threadTree(messages: readonly ThreadMessage[], now = Date.now()): string[] {
  const ordered = [...messages].sort((a, b) => a.seq - b.seq);
  const ids = new Set(ordered.map((m) => m.id));
  const replies = new Map<string, ThreadMessage[]>();
  const roots: ThreadMessage[] = [];
  for (const message of ordered) {
    if (message.replyTo && ids.has(message.replyTo) && message.replyTo !== message.id) {
      const siblings = replies.get(message.replyTo) ?? [];
      siblings.push(message);
      replies.set(message.replyTo, siblings);
    } else roots.push(message);
  }
  const lines: string[] = [];
  // Iterative, so a long chain of replies cannot overflow the stack.
  const stack: [ThreadMessage, number][] = roots.reverse().map((m) => [m, 0]);
  const shown = new Set<string>();
  while (stack.length > 0) {
    const [message, depth] = stack.pop() as [ThreadMessage, number];
    if (shown.has(message.id)) continue;
    shown.add(message.id);
    lines.push(...messageLines(message, depth, now));
    const children = replies.get(message.id) ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i] as ThreadMessage, depth + 1]);
  }
  return lines;
}
