import { z } from 'zod';
import { limits, tooLong } from '../limits.js';
import { TERMINAL_CONTROLS } from '../text.js';
import { boundedJson } from './boundedJson.js';

const { conversation: bounds } = limits;

/**
 * A project scopes every task, thread, message and key. This issue only
 * scopes data; who may see which project comes with teams.
 */
export const DEFAULT_PROJECT = 'default';
export const ProjectName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/,
    'a project name is lower-case letters, digits, ".", "_" or "-" (at most 63, starting with a letter or digit), e.g. "web-app"',
  );
export type ProjectName = z.infer<typeof ProjectName>;

/** `request` asks for something (an answer, a review); `answer` gives it; `message` is anything else. */
export const messageKinds = ['message', 'request', 'answer'] as const;
export const MessageKind = z.enum(messageKinds);
export type MessageKind = z.infer<typeof MessageKind>;

/**
 * Who wrote a message: a person (a token's subject) or a task's agent, with
 * the worker it ran on. Set by the coordinator from the caller's token, never
 * taken from the request.
 */
export const MessageAuthor = z.object({
  kind: z.enum(['person', 'agent']),
  /** The person's token subject, or the agent's name (claude, codex, acp, shell). */
  name: z.string(),
  taskId: z.string().nullable(),
  workerName: z.string().nullable(),
});
export type MessageAuthor = z.infer<typeof MessageAuthor>;

/** One message of a thread; `seq` orders a thread (1, 2, 3...) and is what a watcher resumes from. */
export const ThreadMessage = z.object({
  id: z.string(),
  threadId: z.string(),
  project: z.string(),
  seq: z.number().int().min(1),
  author: MessageAuthor,
  kind: MessageKind,
  /** Markdown. */
  body: z.string(),
  /** The message this one answers: a thread is a tree by reply. */
  replyTo: z.string().nullable(),
  createdAt: z.string(),
});
export type ThreadMessage = z.infer<typeof ThreadMessage>;

/**
 * A conversation. A task's own thread has the task's id as its id (so
 * `nexa say TASK "..."` reaches a running agent); a free thread has an `h-` id.
 */
export const Thread = z.object({
  id: z.string(),
  project: z.string(),
  title: z.string(),
  /** The task this thread belongs to, or null for a free thread. */
  taskId: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  lastMessageAt: z.string().nullable(),
  messages: z.number().int(),
});
export type Thread = z.infer<typeof Thread>;

const noControls = (field: string) => (value: string) =>
  !TERMINAL_CONTROLS.test(value) || `${field} may not hold control characters`;

export const ThreadTitle = z
  .string()
  .min(1, 'a thread needs a title')
  .max(bounds.threadTitleChars, tooLong('a thread title', bounds.threadTitleChars))
  .refine(
    (title) => noControls('a thread title')(title) === true,
    'a thread title may not hold control characters',
  );

export const MessageBody = z
  .string()
  .min(1, 'a message needs some text')
  .max(
    bounds.messageChars,
    `a message is longer than the limit of ${bounds.messageChars} characters: put long content in a file of the repository or a kv key, and post its name`,
  );

export const CreateThreadInput = z.object({
  project: ProjectName.default(DEFAULT_PROJECT),
  title: ThreadTitle,
});
export type CreateThreadInput = z.input<typeof CreateThreadInput>;

export const PostMessageInput = z.object({
  threadId: z.string().min(1).max(64),
  body: MessageBody,
  kind: MessageKind.default('message'),
  replyTo: z.string().min(1).max(64).nullable().default(null),
});
export type PostMessageInput = z.input<typeof PostMessageInput>;

/** A key of the project's store: any text without control characters, e.g. "build/status". */
export const KvKey = z
  .string()
  .min(1, 'a key cannot be empty')
  .max(bounds.kvKeyChars, tooLong('a key', bounds.kvKeyChars))
  .refine((key) => !TERMINAL_CONTROLS.test(key), 'a key may not hold control characters');

/** Any JSON value, bounded as text. */
export const KvValue = boundedJson('a value', bounds.kvValueChars, limits.event.jsonDepth);

/** A key with its value and version; the version goes up by one on every set (the first set makes 1). */
export const KvEntry = z.object({
  project: z.string(),
  key: z.string(),
  value: z.unknown(),
  version: z.number().int().min(1),
  updatedBy: z.string(),
  updatedAt: z.string(),
});
export type KvEntry = z.infer<typeof KvEntry>;

export const KvSetInput = z.object({
  project: ProjectName.default(DEFAULT_PROJECT),
  key: KvKey,
  value: KvValue,
  /** Compare-and-set: only if the key is at this version now (0: only if it does not exist). */
  ifVersion: z.number().int().min(0).optional(),
});
export type KvSetInput = z.input<typeof KvSetInput>;

/** What a kv watcher gets: a key set (with its new entry) or removed. */
export const KvChange = z.discriminatedUnion('type', [
  z.object({ type: z.literal('set'), entry: KvEntry }),
  z.object({ type: z.literal('removed'), project: z.string(), key: z.string(), version: z.number().int() }),
]);
export type KvChange = z.infer<typeof KvChange>;

/** Someone or something that is on line now (or was lately): `nexa who`. */
export const PresenceEntry = z.object({
  kind: z.enum(['person', 'worker', 'agent']),
  /** A person's token subject, a worker's name, or a running task's id. */
  name: z.string(),
  /** What it is on with: "tui", "cli"; a worker's status; an agent's name and worker. */
  detail: z.string(),
  /** The project an agent works in; null for people and workers. */
  project: z.string().nullable(),
  online: z.boolean(),
  lastSeenAt: z.string().nullable(),
});
export type PresenceEntry = z.infer<typeof PresenceEntry>;
