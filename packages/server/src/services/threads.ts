import {
  limits,
  type MessageAuthor,
  NexaError,
  newId,
  type Principal,
  type Thread,
  type ThreadMessage,
} from '@nexa/core';
import { and, asc, desc, eq, gt, isNull, lte, sql } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { messages, threads } from '../db/schema.js';
import type { Writer } from '../db/writeQueue.js';
import { rowsWithin } from './byteBudget.js';
import { KeyedFeed } from './keyedFeed.js';
import type { ListingKey } from './listingCursor.js';
import { type CheckedPost, type NewMessage, PostGroups, type PostStore } from './postGroups.js';
import { personAuthor, sees } from './projectScope.js';
import type { TaskSecrets } from './taskSecrets.js';
import {
  insertMessageRows,
  messageFromRow,
  messageSize,
  type ThreadRow,
  threadFromRow,
  updateThreadCounts,
} from './threadRows.js';
import type { WorkerHub } from './workerHub.js';
import type { WorkerNames } from './workerNames.js';

export type { NewMessage } from './postGroups.js';

const { conversation: bounds } = limits;

/**
 * Threads and their messages. A message's seq is assigned inside the write
 * that stores it (posts are group-committed: see PostGroups); readers are
 * told after the commit, so a watcher never sees what the database does not
 * hold.
 */
export class ThreadService implements PostStore {
  readonly feed = new KeyedFeed<ThreadMessage>(messageSize);
  private readonly groups: PostGroups;

  constructor(
    private readonly database: Database,
    private readonly hub: WorkerHub,
    names: WorkerNames,
    private readonly taskSecrets: TaskSecrets,
  ) {
    this.groups = new PostGroups(database, this, names);
  }

  private get db() {
    return this.database.db;
  }

  /** A free thread (`nexa threads create`), within the project's limit of free threads. */
  create(project: string, title: string, createdBy: string): Promise<Thread> {
    return this.database.writes.run(async (writer) => {
      const [counted] = await writer.db
        .select({ threads: sql<number>`count(*)` })
        .from(threads)
        .where(and(eq(threads.project, project), isNull(threads.taskId)));
      if ((counted?.threads ?? 0) >= bounds.projectThreads) {
        throw new NexaError(
          'conflict',
          `project ${project} has ${bounds.projectThreads} threads, the limit for one project`,
          { hint: 'post in an existing thread (nexa threads list)' },
        );
      }
      const now = Date.now();
      const row: ThreadRow = {
        id: newId('h'),
        project,
        title,
        taskId: null,
        createdBy,
        createdAt: now,
        lastMessageAt: now,
        messages: 0,
      };
      await writer.db.insert(threads).values(row);
      return threadFromRow(row);
    });
  }

  /** A thread the caller may see, or `not_found` (another project's thread is not found to a task token). */
  async mustThread(threadId: string, viewer: Principal): Promise<ThreadRow> {
    const [row] = await this.db.select().from(threads).where(eq(threads.id, threadId));
    if (!row || !sees(viewer, row.project)) {
      throw new NexaError('not_found', `no thread ${threadId}`, {
        hint: 'list threads with `nexa threads list`',
      });
    }
    return row;
  }

  /** One page of a project's threads, newest activity first, keyset-paged on (last_message_at, id). */
  async list(
    project: string,
    limit: number,
    after?: ListingKey,
  ): Promise<{ items: Thread[]; next: ListingKey | null }> {
    const rows = await this.db
      .select()
      .from(threads)
      .where(
        and(
          eq(threads.project, project),
          after ? sql`(${threads.lastMessageAt}, ${threads.id}) < (${after.at}, ${after.id})` : undefined,
        ),
      )
      .orderBy(desc(threads.lastMessageAt), desc(threads.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(threadFromRow),
      next: rows.length > limit && last ? { at: last.lastMessageAt ?? last.createdAt, id: last.id } : null,
    };
  }

  /**
   * Messages after `afterSeq`, ascending: at most `limit` and about one
   * listing's bytes (at least one message). Sizes are read first.
   */
  async messagesAfter(threadId: string, afterSeq: number, limit: number): Promise<ThreadMessage[]> {
    const after = and(eq(messages.threadId, threadId), gt(messages.seq, afterSeq));
    const sizes = await this.db
      .select({ seq: messages.seq, bytes: sql<number>`length(${messages.body})` })
      .from(messages)
      .where(after)
      .orderBy(asc(messages.seq))
      .limit(limit);
    const fit = rowsWithin(sizes.map((row) => row.bytes + 256));
    const last = sizes[Math.max(fit, 1) - 1];
    if (!last) return [];
    const rows = await this.db
      .select()
      .from(messages)
      .where(and(after, lte(messages.seq, last.seq)))
      .orderBy(asc(messages.seq));
    return rows.map(messageFromRow);
  }

  /**
   * `threads.post`: the caller's message, the author its token's (a person,
   * or the task's agent on its worker), with the next group commit.
   */
  post(
    caller: Principal,
    { threadId, ...message }: NewMessage & { threadId: string },
  ): Promise<ThreadMessage> {
    const add = (body: string) =>
      this.groups.add({
        threadId,
        message: { ...message, body },
        by: caller.task ? { agentOf: caller.task.id } : { author: personAuthor(caller) },
        viewer: caller,
      });
    if (!caller.task) return add(message.body);
    // What a task writes is redacted of the secrets it was given, before it is stored.
    const body = this.taskSecrets.redactPost(caller.task.id, message.body);
    return typeof body === 'string' ? add(body) : body.then(add);
  }

  /**
   * Stores a message at the thread's next seq, inside `writer`'s operation
   * (a task's first message, an answer to its question): checked and told
   * as a group's posts are.
   */
  postIn(
    writer: Writer,
    threadId: string,
    author: MessageAuthor,
    message: NewMessage,
  ): Promise<ThreadMessage> {
    return this.groups.postIn(writer, { threadId, message, by: { author }, viewer: null });
  }

  /**
   * Stores checked posts in one transaction: their rows in multi-row inserts
   * and each thread's count once. After the commit each goes to its thread's
   * watchers and, in a running task's thread, to the task's worker as the
   * agent's next user turn.
   */
  async commit(writer: Writer, posts: CheckedPost[]): Promise<ThreadMessage[]> {
    const rows = posts.map((post) => post.row);
    const counts = new Map<string, { messages: number; lastMessageAt: number }>();
    for (const row of rows) counts.set(row.threadId, { messages: row.seq, lastMessageAt: row.createdAt });
    await writer.client.batch([...insertMessageRows(rows), ...updateThreadCounts(counts)], 'write');
    const stored = rows.map(messageFromRow);
    writer.afterward(() => {
      posts.forEach(({ followUp }, index) => {
        const message = stored[index] as ThreadMessage;
        this.feed.publish(message.threadId, message);
        if (followUp) {
          const { workerId, taskId, attempt } = followUp;
          this.hub.send(workerId, { type: 'message', taskId, attempt, message });
        }
      });
    });
    return stored;
  }

  /**
   * Every message after `afterSeq`, in order, exactly once, then live until
   * `signal` aborts. Subscribes before reading the database, so nothing
   * committed in between is missed; a reader that falls behind is dropped
   * from the live feed and reads the database again.
   */
  async *watch(
    threadId: string,
    afterSeq: number,
    signal: AbortSignal | undefined,
    waitForDrain: () => Promise<void> = async () => {},
  ): AsyncGenerator<ThreadMessage> {
    let last = afterSeq;
    while (!signal?.aborted) {
      const live = this.feed.subscribe(threadId);
      const stop = () => live.close();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        for (;;) {
          await waitForDrain();
          const page = await this.messagesAfter(threadId, last, 1000);
          for (const message of page) {
            await waitForDrain();
            yield message;
            last = message.seq;
          }
          if (page.length === 0) break;
        }
        for await (const message of live.queue) {
          if (message.seq <= last) continue;
          if (message.seq !== last + 1) break; // a gap: read the database again
          await waitForDrain();
          yield message;
          last = message.seq;
        }
      } finally {
        signal?.removeEventListener('abort', stop);
        live.close();
      }
    }
  }
}
