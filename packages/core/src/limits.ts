/**
 * Every size the coordinator accepts, in one place, so the CLI, the server and
 * the worker agree on them. Strings are counted in UTF-16 code units (what
 * zod's `.max` and `String.length` count); wire sizes in bytes.
 *
 * Why bounds at all: whatever the coordinator stores, every listing and every
 * tail carries again, to every reader. One oversized field costs memory N
 * times over, so each field is bounded where it enters.
 */
export const limits = {
  task: {
    /** Arguments of a task's command (Linux itself caps one argument at 128 KiB). */
    commandArgs: 4096,
    commandArgChars: 64 * 1024,
    commandTotalChars: 256 * 1024,
    promptChars: 200_000,
    envVars: 256,
    envNameChars: 256,
    envValueChars: 32 * 1024,
    envTotalChars: 256 * 1024,
    labels: 64,
    labelKeyChars: 63,
    labelValueChars: 255,
  },
  policy: {
    rules: 1000,
    /** The whole policy as JSON: a thousand rules of the longest patterns would be megabytes. */
    totalChars: 256 * 1024,
    toolChars: 200,
    commandPatternChars: 2000,
    pathPatternChars: 4096,
  },
  worker: {
    labels: 64,
    labelKeyChars: 63,
    labelValueChars: 255,
  },
  event: {
    // Workers cut output into 64 KiB events and tool results at 64 KiB (plus a
    // "[cut]" note); the coordinator allows headroom above what a healthy worker
    // sends, so a chunk a little over never fails a task, while still bounding it.
    outputChars: 256 * 1024,
    /** Messages, titles, reasons: text a person reads. */
    textChars: 256 * 1024,
    toolOutputChars: 256 * 1024,
    /** A tool call's input, as JSON. */
    toolInputChars: 256 * 1024,
    /** A diff artifact: the worker cuts the patch at 1 MiB (workingCopy.ts). */
    patchChars: 1024 * 1024,
    statChars: 1024 * 1024,
    /** Ids, names, branches, tool names: short identifiers. */
    idChars: 1024,
    /** Nesting of free-form JSON (tool inputs, edited approval input). */
    jsonDepth: 64,
  },
  wire: {
    /**
     * The largest message a client legitimately sends: an events.append with a
     * full-size diff artifact (1 MiB of patch, JSON-escaped) or a batch of
     * 512 KiB of output. Used for HTTP bodies and WebSocket messages alike.
     */
    messageBytes: 4 * 1024 * 1024,
    /** Calls in one batched request (HTTP `?batch=1` or a JSON-RPC array over WebSocket); clients do not batch. */
    batchCalls: 16,
    /** Open subscriptions on one WebSocket. */
    subscriptionsPerConnection: 64,
    /** Open subscriptions of one principal across all its connections. */
    subscriptionsPerPrincipal: 256,
  },
  listing: {
    /** Rows one listing returns at most. */
    rows: 1000,
    /**
     * Stored bytes one listing of tasks or approvals carries at most (at least one row):
     * far above a thousand ordinary rows, it only cuts listings of oversized ones.
     */
    bytes: 8 * 1024 * 1024,
    /** What one approvals watcher may hold unread before it is told it fell behind. */
    watchEvents: 1000,
    watchBytes: 4 * 1024 * 1024,
    /** Bytes (of stored JSON) one page of a task's log carries at most; at least one event. */
    eventPageBytes: 256 * 1024,
    /** Live events one tail may hold for a reader before it goes back to the database. */
    liveEvents: 10_000,
    liveBytes: 512 * 1024,
  },
  conversation: {
    /** A message's markdown body: a long note, not a file (put files in the repository or a key). */
    messageChars: 64 * 1024,
    threadTitleChars: 200,
    /** Messages one thread holds at most: an agent posting in a loop is stopped, not the disk filled. */
    threadMessages: 10_000,
    /** Free threads one project holds at most (a task's own thread does not count). */
    projectThreads: 10_000,
    kvKeyChars: 256,
    /** A key's JSON value, as text. */
    kvValueChars: 64 * 1024,
    /** Keys one project holds at most. */
    projectKeys: 10_000,
    /** The longest an agent may block in wait_for_reply, wait_task or ask_human. */
    waitMs: 30 * 60_000,
  },
  subtasks: {
    /** How deep tasks may start tasks: a task a person started is depth 0. */
    depth: 3,
    /** Children one task may start, over its whole life. */
    childrenPerTask: 10,
  },
  teams: {
    /** Projects one token may be a member of. */
    tokenProjects: 64,
    /** Workers one join token may create, at most (`--uses`). */
    joinUses: 1000,
    /** How long a join token lives at most (`--ttl`); default 1 h. */
    joinTtlSeconds: 7 * 86_400,
    joinDefaultTtlSeconds: 3600,
  },
  secrets: {
    /** Secrets one task may name (`nexa run --secret`). */
    perTask: 32,
    /** A secret's value, in bytes of UTF-8. */
    valueBytes: 32 * 1024,
    /** Secrets one project holds. */
    perProject: 1000,
  },
  egress: {
    /** Hosts one task may name with --allow-host (its agent's provider is added). */
    allowHosts: 32,
    hostChars: 253,
  },
  rates: {
    /** Task submissions of one principal per minute (sub-tasks count against their task's token). */
    submitsPerMinute: 600,
    /** Open WebSockets of one principal at once. */
    connectionsPerPrincipal: 64,
    /** Failed authentications from one address before it is made to wait (then doubled per failure, to 60 s). */
    authFailuresFree: 10,
    authBackoffMaxMs: 60_000,
  },
  audit: {
    /** Rows one `nexa audit` listing returns at most. */
    rows: 1000,
    detailChars: 2000,
  },
  load: {
    /** Queries and mutations of people and tools running at once. */
    clientCalls: 16,
    /** Calls beyond those wait in line, this many at most, each this long at most; then `unavailable`. */
    clientWaiting: 128,
    clientWaitMs: 2000,
    /**
     * Workers' calls (appends; heartbeats are not counted) have their own budget: other clients'
     * load never starves them. A worker keeps one append in flight per running task, and the
     * group commit answers them together, so this is about how many tasks stream at once.
     */
    workerCalls: 2048,
    /** HTTP requests open at once, before their bodies are read. */
    httpRequests: 160,
    /** Seconds a shed client is told to wait (Retry-After). */
    retryAfterSeconds: 1,
  },
} as const;

/** The one message every limit error says: which field, and its bound. */
export function tooLong(field: string, max: number, unit = 'characters'): string {
  return `${field} is longer than the limit of ${max} ${unit}`;
}

export function tooMany(field: string, max: number, what = 'entries'): string {
  return `${field} has more than the limit of ${max} ${what}`;
}
