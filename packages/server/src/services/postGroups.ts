import {
  isActiveStatus,
  limits,
  type MessageAuthor,
  type MessageKind,
  NexaError,
  newId,
  type Principal,
  type TaskStatus,
  type ThreadMessage,
} from '@nexa/core';
import { inArray } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { messages, tasks } from '../db/schema.js';
import type { Writer } from '../db/writeQueue.js';
import { groupFront } from './groupFront.js';
import { sees } from './projectScope.js';
import { authorColumns, type MessageRow } from './threadRows.js';
import type { WorkerNames } from './workerNames.js';

export interface NewMessage {
  body: string;
  kind: MessageKind;
  replyTo: string | null;
}

/** One message to post, as a procedure or the coordinator asks for it. */
export interface PostRequest {
  threadId: string;
  message: NewMessage;
  /** Who writes it: an author already known, or a task token's task (its agent and worker are read with the group). */
  by: { author: MessageAuthor } | { agentOf: string };
  /** Whose call it is: a thread this caller may not see is not found (null: the coordinator's own post). */
  viewer: Principal | null;
}

/** A message that passed its checks, ready to store; `followUp`: the worker whose agent gets it as its next turn. */
export interface CheckedPost {
  row: MessageRow;
  followUp: { workerId: string; taskId: string; attempt: number } | null;
}

export interface PostStore {
  /** Stores checked posts in one transaction; tells watchers and workers after it (writer.afterward). */
  commit(writer: Writer, posts: CheckedPost[]): Promise<ThreadMessage[]>;
}

interface Pending {
  request: PostRequest;
  resolve: (message: ThreadMessage) => void;
  reject: (error: unknown) => void;
}

/** A thread as a group checks posts against it, with its task (for follow-ups) from the same read. */
interface ThreadState {
  id: string;
  project: string;
  messages: number;
  task: ThreadTask | null;
}

interface ThreadTask {
  id: string;
  agent: string;
  workerId: string | null;
  status: TaskStatus;
  attempt: number;
}

/** The most posts one group commit stores: a control write, so dispatch waits behind at most this. */
const GROUP_POSTS = 500;
/** And the most bytes of message bodies. */
const GROUP_BYTES = 4 * 1024 * 1024;
/** Ids per `IN (...)` of a group's reads. */
const IDS_PER_READ = 500;

const { conversation: bounds } = limits;

/**
 * Group commit of posts, as AppendGroups is for task events. Posts that
 * arrive while the write queue is busy wait here, then go in together: one
 * read of their threads (and the threads' tasks), of their authors' tasks and
 * of the messages they reply to, seqs assigned in order per thread, one
 * transaction. Each post is checked on its own (a bad reply or a full thread
 * fails only that post) and acknowledged after the commit, once watchers have
 * it. Groups run in the control lane, as people wait on messages, and are
 * bounded so dispatch never waits long behind one.
 */
export class PostGroups {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly database: Database,
    private readonly store: PostStore,
    private readonly names: WorkerNames,
  ) {}

  /** Posts a message with the next group; resolves once it is committed. */
  add(request: PostRequest): Promise<ThreadMessage> {
    return new Promise((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      this.schedule();
    });
  }

  /** Posts one message inside a write operation the caller holds (a task's first message, an answer). */
  async postIn(writer: Writer, request: PostRequest): Promise<ThreadMessage> {
    const [outcome] = await this.check(writer, [request]);
    if (outcome instanceof NexaError || outcome === undefined) throw outcome;
    const [stored] = await this.store.commit(writer, [outcome]);
    return stored as ThreadMessage;
  }

  private schedule(): void {
    if (this.scheduled || this.pending.length === 0) return;
    this.scheduled = true;
    let ran = false;
    this.database.writes
      .run(async (writer) => {
        ran = true;
        // One turn of the event loop first: the posts read from other sockets in
        // the same poll join this group instead of waiting for the next.
        await nextTurn();
        this.scheduled = false;
        return this.commit(writer, this.take());
      })
      .catch((error: unknown) => {
        // A group that ran answered each of its posts. One the queue refused (a post
        // made from inside a write) never ran: its posts are told, not left waiting.
        if (ran) return;
        this.scheduled = false;
        for (const pending of this.pending.splice(0)) pending.reject(error);
      })
      .finally(() => this.schedule());
  }

  /** The oldest pending posts, up to a group's posts and bytes (at least one). */
  private take(): Pending[] {
    const count = groupFront(
      this.pending,
      ({ request }) => ({ rows: 1, bytes: request.message.body.length + 256 }),
      GROUP_POSTS,
      GROUP_BYTES,
    );
    return this.pending.splice(0, count);
  }

  private async commit(writer: Writer, group: Pending[]): Promise<void> {
    if (group.length === 0) return;
    const unanswered = new Set(group);
    const accepted: Pending[] = [];
    const toStore: CheckedPost[] = [];
    let stored: ThreadMessage[];
    try {
      const outcomes = await this.check(
        writer,
        group.map((pending) => pending.request),
      );
      outcomes.forEach((outcome, index) => {
        const pending = group[index] as Pending;
        if (outcome instanceof NexaError) {
          unanswered.delete(pending);
          pending.reject(outcome);
        } else {
          accepted.push(pending);
          toStore.push(outcome);
        }
      });
      stored = toStore.length > 0 ? await this.store.commit(writer, toStore) : [];
    } catch (error) {
      // The reads or the transaction failed as a whole: nothing of the group was stored.
      for (const pending of unanswered) pending.reject(error);
      return;
    }
    // After the store's own afterward (watchers have the message): the acknowledgements.
    writer.afterward(() => {
      accepted.forEach((pending, index) => {
        pending.resolve(stored[index] as ThreadMessage);
      });
    });
  }

  /** Checks a group's posts in order against what the database holds and what posts before them add. */
  private async check(writer: Writer, requests: PostRequest[]): Promise<Array<CheckedPost | NexaError>> {
    const threadStates = await this.threadsOf(writer, requests);
    const authors = await this.authorsOf(writer, requests, threadStates);
    const parents = await this.parentsOf(writer, requests);
    const counts = new Map<string, number>();
    const now = Date.now();
    return requests.map((request) => {
      const { threadId, message, viewer } = request;
      const thread = threadStates.get(threadId);
      if (!thread || (viewer !== null && !sees(viewer, thread.project))) {
        return new NexaError('not_found', `no thread ${threadId}`, {
          hint: 'list threads with `nexa threads list`',
        });
      }
      const count = counts.get(threadId) ?? thread.messages;
      if (count >= bounds.threadMessages) {
        return new NexaError(
          'conflict',
          `thread ${threadId} has ${bounds.threadMessages} messages, the limit for one thread`,
          { hint: 'start a new thread with `nexa threads create`' },
        );
      }
      if (message.replyTo !== null && parents.get(message.replyTo) !== threadId) {
        return new NexaError('invalid_input', `message ${message.replyTo} is not in thread ${threadId}`, {
          hint: 'reply to a message of the same thread (see nexa thread show)',
        });
      }
      const { by } = request;
      const author = 'author' in by ? by.author : authors.get(by.agentOf);
      if (!author) return new NexaError('not_found', `no task ${'agentOf' in by ? by.agentOf : ''}`);
      const row: MessageRow = {
        id: newId('m'),
        threadId,
        project: thread.project,
        seq: count + 1,
        ...authorColumns(author),
        kind: message.kind,
        body: message.body,
        replyTo: message.replyTo,
        createdAt: now,
      };
      counts.set(threadId, row.seq);
      parents.set(row.id, threadId); // a later post of the group may answer this one
      const { task } = thread;
      // A message in a running task's thread reaches its agent, unless that agent wrote it.
      const followUp =
        task?.workerId && isActiveStatus(task.status) && author.taskId !== task.id
          ? { workerId: task.workerId, taskId: task.id, attempt: task.attempt }
          : null;
      return { row, followUp };
    });
  }

  /**
   * The group's threads, each with its task's holder and status, in one read
   * per 500. Written by hand: drizzle's builder took longer over this join
   * than SQLite did to answer it, once per group.
   */
  private async threadsOf(writer: Writer, requests: PostRequest[]): Promise<Map<string, ThreadState>> {
    const found = new Map<string, ThreadState>();
    for (const ids of chunks(requests.map((request) => request.threadId))) {
      const { rows } = await writer.client.execute({
        sql: `SELECT h.id, h.project, h.messages, t.id AS task_id, t.agent, t.worker_id, t.status, t.attempt
              FROM threads h LEFT JOIN tasks t ON t.id = h.task_id
              WHERE h.id IN (${ids.map(() => '?').join(', ')})`,
        args: ids,
      });
      for (const row of rows) {
        const id = String(row.id);
        found.set(id, {
          id,
          project: String(row.project),
          messages: Number(row.messages),
          task:
            row.task_id === null
              ? null
              : {
                  id: String(row.task_id),
                  agent: String(row.agent),
                  workerId: row.worker_id === null ? null : String(row.worker_id),
                  status: row.status as TaskStatus,
                  attempt: Number(row.attempt),
                },
        });
      }
    }
    return found;
  }

  /**
   * Task tokens' authors: each task's agent on its worker. An agent posting
   * in its own thread was read with the thread; the others in one read for
   * the group (worker names are cached).
   */
  private async authorsOf(
    writer: Writer,
    requests: PostRequest[],
    threadStates: Map<string, ThreadState>,
  ): Promise<Map<string, MessageAuthor>> {
    const rows: Array<Pick<ThreadTask, 'id' | 'agent' | 'workerId'>> = [];
    for (const { task } of threadStates.values()) if (task) rows.push(task);
    const known = new Set(rows.map((row) => row.id));
    const taskIds = requests.flatMap((request) =>
      'agentOf' in request.by && !known.has(request.by.agentOf) ? [request.by.agentOf] : [],
    );
    for (const ids of chunks(taskIds)) {
      rows.push(
        ...(await writer.db
          .select({ id: tasks.id, agent: tasks.agent, workerId: tasks.workerId })
          .from(tasks)
          .where(inArray(tasks.id, ids))),
      );
    }
    const authors = new Map<string, MessageAuthor>();
    if (!requests.some((request) => 'agentOf' in request.by)) return authors;
    const names = await this.names.of(rows.map((row) => row.workerId));
    for (const row of rows) {
      authors.set(row.id, {
        kind: 'agent',
        name: row.agent,
        taskId: row.id,
        workerName: row.workerId ? (names.get(row.workerId) ?? null) : null,
      });
    }
    return authors;
  }

  /** The thread of every message the group replies to. */
  private async parentsOf(writer: Writer, requests: PostRequest[]): Promise<Map<string, string>> {
    const parents = new Map<string, string>();
    const ids = requests.flatMap((request) =>
      request.message.replyTo === null ? [] : [request.message.replyTo],
    );
    for (const chunk of chunks(ids)) {
      const rows = await writer.db
        .select({ id: messages.id, threadId: messages.threadId })
        .from(messages)
        .where(inArray(messages.id, chunk));
      for (const row of rows) parents.set(row.id, row.threadId);
    }
    return parents;
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Distinct ids in slices small enough for one `IN (...)`. */
function chunks(ids: string[]): string[][] {
  const distinct = [...new Set(ids)];
  const out: string[][] = [];
  for (let start = 0; start < distinct.length; start += IDS_PER_READ)
    out.push(distinct.slice(start, start + IDS_PER_READ));
  return out;
}
