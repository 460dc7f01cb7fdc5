import type { Thread, ThreadMessage } from '@nexa/core';
import type { TuiState } from './state.js';

/** The time a thread last had something to say: its last message, else its creation. */
const activityOf = (thread: Thread) => thread.lastMessageAt ?? thread.createdAt;

let lastThreads: TuiState['threads'] | undefined;
let lastList: Thread[] = [];

/** The project's threads, newest activity first (ties: newest created first). */
export function threadList(state: Pick<TuiState, 'threads'>): Thread[] {
  if (state.threads === lastThreads) return lastList;
  lastThreads = state.threads;
  lastList = Object.values(state.threads).sort(
    (a, b) => activityOf(b).localeCompare(activityOf(a)) || b.createdAt.localeCompare(a.createdAt),
  );
  return lastList;
}

/** One message in the tree: how deep it sits under the message it replies to. */
export interface TreeRow {
  message: ThreadMessage;
  depth: number;
}

const treeCache = new WeakMap<readonly ThreadMessage[], TreeRow[]>();

/**
 * A thread as a tree by reply: each message under the one it answers, replies
 * in the order they were written. A message whose parent is not held (older
 * than what is kept) is a root, so nothing is lost from view.
 */
export function threadTree(messages: readonly ThreadMessage[]): TreeRow[] {
  const cached = treeCache.get(messages);
  if (cached) return cached;
  const held = new Set(messages.map((message) => message.id));
  const children = new Map<string | null, ThreadMessage[]>();
  for (const message of messages) {
    const parent = message.replyTo && held.has(message.replyTo) ? message.replyTo : null;
    const siblings = children.get(parent);
    if (siblings) siblings.push(message);
    else children.set(parent, [message]);
  }
  const rows: TreeRow[] = [];
  // Depth first without recursion: a long chain of replies must not overflow the stack.
  const stack: TreeRow[] = (children.get(null) ?? []).map((message) => ({ message, depth: 0 })).reverse();
  while (stack.length > 0) {
    const row = stack.pop()!;
    rows.push(row);
    const replies = children.get(row.message.id) ?? [];
    for (let i = replies.length - 1; i >= 0; i--) stack.push({ message: replies[i]!, depth: row.depth + 1 });
  }
  treeCache.set(messages, rows);
  return rows;
}

/** The thread open in the Threads view: the selected one, else the first listed. */
export function openThreadId(state: TuiState): string | null {
  const ids = threadList(state).map((thread) => thread.id);
  const chosen = state.selected.threads;
  return chosen && ids.includes(chosen) ? chosen : (ids[0] ?? null);
}

/** The open thread's messages in tree order: what the cursor moves over when the thread has focus. */
export function openThreadRows(state: TuiState): TreeRow[] {
  const id = openThreadId(state);
  return id ? threadTree(state.threadMessages[id] ?? []) : [];
}

/** The message `R` answers: the selected one, else the newest. */
export function selectedMessageId(state: TuiState): string | null {
  const rows = openThreadRows(state);
  const chosen = state.selectedMessage;
  if (chosen && rows.some((row) => row.message.id === chosen)) return chosen;
  const newest = rows.reduce<ThreadMessage | null>(
    (best, row) => (!best || row.message.seq > best.seq ? row.message : best),
    null,
  );
  return newest?.id ?? null;
}
