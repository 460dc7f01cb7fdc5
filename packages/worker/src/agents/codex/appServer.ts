import type { Readable, Writable } from 'node:stream';
import { NEXA_VERSION, type TaskEventBody } from '@nexa/core';
import type { ExitInfo } from '../../sandbox/index.js';
import { JsonRpcError, JsonRpcPeer, METHOD_NOT_FOUND, type RequestId } from '../acp/jsonRpc.js';
import type { ApprovalGate, EventSink, FollowUpInbox } from '../agent.js';
import { approvalRequestFor, type CodexDecision, codexDecision } from './approvals.js';
import { type ThreadItem, ThreadItems } from './items.js';

/**
 * A client of `codex app-server`: JSON-RPC over stdio (without the `jsonrpc`
 * field). One ephemeral thread in the working copy, one turn on the prompt;
 * Codex asks before it runs a command or applies a patch, and those requests
 * go to Nexa's approvals. Message shapes: `codex app-server generate-ts`.
 */

/** Past this many, lines that are not JSON-RPC are counted, not each reported. */
const MALFORMED_REPORTS = 20;

interface TokenUsage {
  inputTokens?: number;
  cachedInputTokens?: number;
  cacheWriteInputTokens?: number;
  outputTokens?: number;
}

interface Turn {
  id?: string;
  /** completed, interrupted, failed (or inProgress, never in turn/completed). */
  status?: string;
  error?: { message?: string } | null;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export interface AppServerOptions {
  /** The working copy as Codex sees it. */
  workdir: string;
  approvals: ApprovalGate;
  events: EventSink;
  /** Follow-ups waiting when a turn ends: each is the next turn on the same thread. */
  followUps?: FollowUpInbox | undefined;
  /** `nexa continue`: the thread to resume instead of starting one. */
  resumeThreadId?: string | undefined;
}

export class AppServerSession {
  private readonly peer: JsonRpcPeer;
  private readonly items: ThreadItems;
  private readonly pendingApprovals = new Map<RequestId, (decision: CodexDecision) => void>();
  private threadId: string | undefined;
  private turnId: string | undefined;
  private model: string | null = null;
  private usage: TokenUsage | undefined;
  private lastError: string | undefined;
  private stopping = false;
  private malformed = 0;
  private endTurn: (turn: Turn) => void = () => {};
  private turnEnded = this.nextTurnEnd();
  // When the sink is full, the next message waits (and Codex with it, on its own stdout).
  private room: Promise<void> | undefined;

  constructor(
    process: { stdin: Writable; stdout: Readable },
    private readonly options: AppServerOptions,
  ) {
    this.items = new ThreadItems(options.workdir, (event) => this.emit(event));
    this.peer = new JsonRpcPeer(
      process.stdout,
      process.stdin,
      {
        onNotification: (method, params) => this.notification(method, params),
        onRequest: (method, params, id) => this.request(method, params, id),
        onMalformed: (line, problem) => this.reportMalformed(line, problem),
      },
      { versionOptional: true },
    );
  }

  private nextTurnEnd(): Promise<Turn> {
    return new Promise<Turn>((resolve) => {
      this.endTurn = resolve;
    });
  }

  /**
   * Starts (or resumes) a thread and runs a turn on `prompt`, then one per
   * follow-up waiting when a turn ends. Resolves with how the turn
   * ended, or undefined when Codex closed its output first; rejects when
   * Codex answers a request with an error.
   */
  async run(prompt: string): Promise<ExitInfo | undefined> {
    await this.peer.request('initialize', {
      clientInfo: { name: 'nexa', title: 'Nexa', version: NEXA_VERSION },
      capabilities: null,
    });
    this.peer.notify('initialized', undefined);
    if (this.stopping) return { exitCode: 130, reason: 'stopped before the thread began' };
    // Ask before anything Codex does not know to be read-only; Nexa's sandbox is the wall.
    const policy = { cwd: this.options.workdir, approvalPolicy: 'untrusted', sandbox: 'danger-full-access' };
    const thread = this.options.resumeThreadId
      ? await this.peer.request('thread/resume', {
          threadId: this.options.resumeThreadId,
          ...policy,
          excludeTurns: true,
        })
      : // Kept (not ephemeral), so `nexa continue` can resume it from the working copy's home.
        await this.peer.request('thread/start', { ...policy, ephemeral: false });
    const threadInfo = isObject(thread) && isObject(thread.thread) ? thread.thread : {};
    this.threadId = text(threadInfo.id);
    if (this.threadId === undefined) return { exitCode: 1, reason: 'codex started no thread (no thread id)' };
    this.emit({ kind: 'session', sessionId: this.threadId });
    this.model = (isObject(thread) ? text(thread.model) : undefined) ?? null;
    let input: string | undefined = prompt;
    let outcome: ExitInfo | undefined;
    while (input !== undefined) {
      outcome = await this.turn(input);
      if (outcome?.exitCode !== 0) break;
      input = this.options.followUps?.take();
    }
    this.options.followUps?.close();
    // The thread's running totals: reported once, for all its turns.
    this.reportUsage();
    return outcome;
  }

  private async turn(prompt: string): Promise<ExitInfo | undefined> {
    if (this.stopping) return { exitCode: 130, reason: 'stopped before the prompt was sent' };
    this.turnEnded = this.nextTurnEnd();
    this.turnId = undefined;
    const started = await this.peer.request('turn/start', {
      threadId: this.threadId,
      input: [{ type: 'text', text: prompt, text_elements: [] }],
    });
    this.turnId = isObject(started) && isObject(started.turn) ? text(started.turn.id) : undefined;
    if (this.stopping) this.interruptTurn(); // a stop came while the turn was starting

    const turn = await Promise.race([this.turnEnded, this.peer.closed.then(() => undefined)]);
    if (turn === undefined) return undefined;
    switch (turn.status) {
      case 'completed':
        return { exitCode: 0 };
      case 'interrupted':
        return { exitCode: 130, reason: 'codex interrupted its turn' };
      default: {
        const reason = turn.error?.message ?? `codex ended its turn ${turn.status ?? 'without a status'}`;
        this.error(reason);
        return { exitCode: 1, reason };
      }
    }
  }

  /** On a stop: every open approval is answered `cancel` and the turn is interrupted. */
  stop(): void {
    this.stopping = true;
    for (const resolve of this.pendingApprovals.values()) resolve('cancel');
    this.pendingApprovals.clear();
    this.interruptTurn();
  }

  private interruptTurn(): void {
    if (this.threadId === undefined || this.turnId === undefined) return;
    this.peer.request('turn/interrupt', { threadId: this.threadId, turnId: this.turnId }).catch(() => {
      // it has ended already, or is going: the grace period takes care of the rest
    });
  }

  private emit(event: TaskEventBody): boolean {
    if (this.options.events.emit(event)) return true;
    this.room ??= this.options.events.writable().then(() => {
      this.room = undefined;
    });
    return false;
  }

  private error(message: string): void {
    // Codex reports a failed turn twice (`error`, then the failed turn): log it once.
    if (message === this.lastError) return;
    this.lastError = message;
    this.emit({ kind: 'error', message });
  }

  private reportUsage(): void {
    if (!this.usage) return;
    this.emit({
      kind: 'usage',
      model: this.model,
      inputTokens: this.usage.inputTokens ?? 0,
      outputTokens: this.usage.outputTokens ?? 0,
      cacheReadTokens: this.usage.cachedInputTokens ?? 0,
      cacheWriteTokens: this.usage.cacheWriteInputTokens ?? 0,
      costUsd: null,
    });
  }

  private notification(method: string, params: unknown): Promise<void> | undefined {
    if (!isObject(params)) return;
    switch (method) {
      case 'item/started':
        this.items.itemStarted((params.item ?? {}) as ThreadItem);
        break;
      case 'item/completed':
        this.items.itemCompleted((params.item ?? {}) as ThreadItem);
        break;
      case 'thread/tokenUsage/updated':
        // Running totals for the thread: the last one is the turn's usage.
        if (params.threadId === this.threadId && isObject(params.tokenUsage))
          this.usage = params.tokenUsage.total as TokenUsage;
        break;
      case 'turn/completed':
        if (params.threadId === this.threadId) this.endTurn(isObject(params.turn) ? params.turn : {});
        break;
      case 'error': {
        const error = isObject(params.error) ? params.error : {};
        this.error(text(error.message) ?? 'codex reported an error');
        break;
      }
      case 'warning':
        this.error(text(params.message) ?? 'codex warned of something it did not name');
        break;
      case 'configWarning':
        this.error(
          [params.summary, params.details].filter((part) => typeof part === 'string').join(': ') ||
            'codex warned about its config',
        );
        break;
      default:
        // deltas, status changes, rate limits: nothing a reader needs that item/completed does not carry.
        break;
    }
    return this.room;
  }

  private async request(method: string, params: unknown, id: RequestId): Promise<unknown> {
    const itemId = isObject(params) ? text(params.itemId) : undefined;
    const item = itemId === undefined ? undefined : this.items.get(itemId);
    const request = approvalRequestFor(method, String(id), params, item, this.options.workdir);
    if (request === undefined) throw new JsonRpcError(METHOD_NOT_FOUND, `${method} is not offered by nexa`);
    if (this.stopping) return { decision: 'cancel' };
    const decision = await new Promise<CodexDecision>((resolve) => {
      this.pendingApprovals.set(id, resolve);
      void this.options.approvals
        .ask(request)
        .then(codexDecision, (error: unknown) => {
          this.emit({
            kind: 'error',
            message: `the approval could not be decided: ${(error as Error).message}`,
          });
          return 'cancel' as const;
        })
        .then((answer) => {
          // a stop may have answered it already
          if (this.pendingApprovals.delete(id)) resolve(answer);
        });
    });
    return { decision };
  }

  private reportMalformed(line: string, problem: string): void {
    this.malformed++;
    if (this.malformed <= MALFORMED_REPORTS) {
      const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
      this.emit({ kind: 'error', message: `codex wrote a line that is not JSON-RPC (${problem}): ${shown}` });
    }
    if (this.malformed === MALFORMED_REPORTS)
      this.emit({ kind: 'error', message: 'further lines that are not JSON-RPC are not reported' });
  }
}
