import type { Approval, ApprovalAction, ApprovalDecision } from '@nexa/core';
import type { ApprovalGate, ApprovalRequest, EventSink } from './agents/index.js';

/** What the coordinator answers when asked: the request as stored, and its decision if it has one. */
export interface ApprovalAnswer {
  approval: Approval;
  decision?: ApprovalDecision | undefined;
}

export type RequestApproval = (
  request: ApprovalAction & { taskId: string; attempt: number; key: string },
) => Promise<ApprovalAnswer>;

interface Waiting {
  request: ApprovalRequest;
  approvalId?: string;
  resolve(decision: ApprovalDecision): void;
}

const cancelled: ApprovalDecision = { outcome: 'cancelled', always: false, message: 'the task was stopped' };

/**
 * One attempt's way to the approvals queue. Each request is sent to the
 * coordinator (retried while it is away: the request is idempotent on its
 * key), logged as `approval_requested`, and resolved when a policy or a
 * person decides (`deliver`), logged as `approval_decided`. While anything
 * waits the task shows `waiting_approval`. A stop resolves what waits as
 * `cancelled`.
 */
export class TaskApprovalGate implements ApprovalGate {
  private readonly waiting = new Map<string, Waiting>();
  /** Whether the log says `waiting_approval` right now. */
  private showsWaiting = false;

  constructor(
    private readonly task: { taskId: string; attempt: number },
    private readonly events: EventSink,
    private readonly requestApproval: RequestApproval,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => this.cancelAll(), { once: true });
  }

  ask(request: ApprovalRequest): Promise<ApprovalDecision> {
    if (this.signal.aborted) return Promise.resolve(cancelled);
    return new Promise((resolve) => {
      this.waiting.set(request.key, { request, resolve });
      void this.send(request);
    });
  }

  /** A decision the coordinator sent; ignored unless that request still waits here. */
  deliver(key: string, approval: Approval, decision: ApprovalDecision): void {
    const entry = this.waiting.get(key);
    if (!entry || approval.taskId !== this.task.taskId || approval.attempt !== this.task.attempt) return;
    this.settle(key, entry, approval, decision);
  }

  /** After a reconnect: asks again for what still waits, picking up decisions made meanwhile. */
  resync(): void {
    for (const entry of this.waiting.values()) void this.send(entry.request);
  }

  private async send(request: ApprovalRequest): Promise<void> {
    for (let attempt = 0; !this.signal.aborted && this.waiting.has(request.key); attempt++) {
      try {
        const answer = await this.requestApproval({ ...this.task, ...request });
        const entry = this.waiting.get(request.key);
        if (!entry) return;
        this.announce(entry, answer.approval);
        if (answer.decision) {
          this.settle(request.key, entry, answer.approval, answer.decision);
        } else if (!this.showsWaiting) {
          this.showsWaiting = true;
          this.events.emit({ kind: 'status', status: 'waiting_approval' });
        }
        return;
      } catch {
        // The coordinator is away or restarting: the request is idempotent, so ask again.
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 200 * 2 ** attempt)));
      }
    }
  }

  /** Logs the request once, with the id people answer it by. */
  private announce(entry: Waiting, approval: Approval): void {
    if (entry.approvalId !== undefined) return;
    entry.approvalId = approval.id;
    const { tool, action, risk } = entry.request;
    this.events.emit({ kind: 'approval_requested', approvalId: approval.id, tool, action, risk });
  }

  private settle(key: string, entry: Waiting, approval: Approval, decision: ApprovalDecision): void {
    this.announce(entry, approval); // a decision can overtake the answer to the request itself
    this.waiting.delete(key);
    if (approval.status !== 'pending') {
      this.events.emit({
        kind: 'approval_decided',
        approvalId: approval.id,
        status: approval.status,
        decidedBy: approval.decidedBy ?? 'nexa',
        rule: approval.rule,
        reason: approval.reason,
      });
    }
    if (this.waiting.size === 0 && this.showsWaiting && !this.signal.aborted) {
      this.showsWaiting = false;
      this.events.emit({ kind: 'status', status: 'running' });
    }
    entry.resolve(decision);
  }

  /** The run is over: nothing it asked can be acted on any more. */
  close(): void {
    this.cancelAll();
  }

  private cancelAll(): void {
    for (const entry of this.waiting.values()) entry.resolve(cancelled);
    this.waiting.clear();
  }
}

/**
 * A gate that reports paths relative to the working copy (as the agent sees
 * it: /work in a walled sandbox), so policies match `src/*`, not where a
 * worker happens to keep its working copies.
 */
export function withRelativePaths(gate: ApprovalGate, workdir: string): ApprovalGate {
  const prefix = `${workdir.replace(/\/$/, '')}/`;
  const relative = (path: string) => (path.startsWith(prefix) ? path.slice(prefix.length) : path);
  return {
    ask: (request) => gate.ask(request.paths ? { ...request, paths: request.paths.map(relative) } : request),
  };
}

/**
 * Nexa's own MCP tools (`mcp__nexa__post_message`...) need no approval: the
 * task token already limits them to the task's project, and asking a person
 * before every message would stop the conversation.
 */
export function allowingNexaTools(gate: ApprovalGate): ApprovalGate {
  return {
    ask: (request) =>
      /^mcp__nexa__\w+$/.test(request.tool)
        ? Promise.resolve({ outcome: 'allow', always: false })
        : gate.ask(request),
  };
}
