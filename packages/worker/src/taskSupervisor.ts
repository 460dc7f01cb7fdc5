import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Approval,
  type ApprovalDecision,
  type Assignment,
  type RunningAttempt,
  type SandboxName,
  type ThreadMessage,
  within,
} from '@nexa/core';
import type { AgentPrograms } from './agentPrograms.js';
import type { RequestApproval } from './approvalGate.js';
import { type EventBatch, TaskEventStream } from './eventStream.js';
import type { Sandbox } from './sandbox/index.js';
import { type RunOutcome, type StopCause, TaskRun } from './taskRun.js';

export interface SupervisorOptions {
  workRoot: string;
  sandboxes: ReadonlyMap<SandboxName, Sandbox>;
  defaultImage?: string | undefined;
  keepWorkdirsMs?: number | undefined;
  /** How long a resumable agent task's copy is kept, for `nexa continue`. */
  keepAgentWorkdirsMs?: number | undefined;
  /** The coordinator's URL: where each attempt's MCP relay pipes to. */
  server?: string | undefined;
  /** PEM of a private CA the relay checks an https coordinator's certificate against. */
  ca?: string | undefined;
  /** The argv that runs the `nexa` CLI here; without it tasks get no `nexa` and agents no nexa tools. */
  nexaCommand?: readonly string[] | undefined;
  programs: AgentPrograms;
  /** Variables of the worker's environment that coding agents get (--pass-env). */
  agentEnv: Readonly<Record<string, string>>;
  /** Sends an agent's permission request to the coordinator's approvals queue. */
  requestApproval: RequestApproval;
  /** Where events the coordinator has not acknowledged spill to during an outage. */
  spoolDir: string;
  /** Stores one batch of a task's events on the coordinator. */
  sendEvents: (batch: EventBatch) => Promise<unknown>;
  /** Tells the coordinator that an attempt stopped at shutdown should run again elsewhere. */
  handBack: (attempt: RunningAttempt) => Promise<unknown>;
  /** True for coordinator errors that mean the attempt is no longer ours. */
  isFatal: (error: unknown) => boolean;
  log: (line: string) => void;
}

interface Active {
  run: TaskRun;
  done: Promise<RunOutcome>;
}

/** The attempts this worker runs: starts them, stops them, and waits for them. */
export class TaskSupervisor {
  private readonly active = new Map<string, Active>();

  constructor(private readonly options: SupervisorOptions) {
    // Spools left by a crashed run of this worker belong to attempts that have run again since.
    rmSync(options.spoolDir, { recursive: true, force: true });
    mkdirSync(options.spoolDir, { recursive: true, mode: 0o700 });
  }

  running(): RunningAttempt[] {
    return [...this.active.values()].map(({ run }) => ({ taskId: run.taskId, attempt: run.attempt }));
  }

  get size(): number {
    return this.active.size;
  }

  start(assignment: Assignment): void {
    const current = this.active.get(assignment.taskId);
    if (current && current.run.attempt >= assignment.attempt) return; // delivered twice
    current?.run.stop('reassigned', 0);
    const events = new TaskEventStream(assignment.taskId, assignment.attempt, assignment.firstSeq, {
      spoolPath: join(this.options.spoolDir, `${assignment.taskId}-${assignment.attempt}.ndjson`),
      send: this.options.sendEvents,
      isFatal: this.options.isFatal,
      onFatal: (error) => {
        this.options.log(`task ${assignment.taskId} is no longer ours: ${(error as Error).message}`);
        run.stop('reassigned', 0);
      },
    });
    const run = new TaskRun(assignment, events, this.options);
    const done = run
      .run()
      .then(async (outcome) => {
        if (outcome === 'handed_back')
          await this.options.handBack({ taskId: run.taskId, attempt: run.attempt });
        return outcome;
      })
      .catch((error: unknown) => {
        this.options.log(`task ${assignment.taskId}: ${String(error)}`);
        return 'abandoned' as const;
      })
      .finally(() => {
        events.close();
        if (this.active.get(assignment.taskId)?.run === run) this.active.delete(assignment.taskId);
      });
    this.active.set(assignment.taskId, { run, done });
  }

  /** Stops one attempt (ignored if that attempt is not running here). */
  stop(taskId: string, attempt: number, cause: StopCause, graceMs?: number): void {
    const entry = this.active.get(taskId);
    if (entry && entry.run.attempt === attempt) entry.run.stop(cause, graceMs);
  }

  /** A decision on an approval request of one of our attempts. */
  deliverDecision(key: string, approval: Approval, decision: ApprovalDecision): void {
    const entry = this.active.get(approval.taskId);
    if (entry && entry.run.attempt === approval.attempt) entry.run.approvals.deliver(key, approval, decision);
  }

  /** A message in a running task's thread: the agent's next user turn (false when that attempt cannot take it). */
  deliverMessage(taskId: string, attempt: number, message: ThreadMessage): boolean {
    const entry = this.active.get(taskId);
    return entry !== undefined && entry.run.attempt === attempt && entry.run.deliver(message);
  }

  /** After a reconnect: every waiting request is asked again, to pick up what was decided meanwhile. */
  resyncApprovals(): void {
    for (const { run } of this.active.values()) run.approvals.resync();
  }

  stopAll(cause: StopCause): void {
    for (const { run } of this.active.values()) run.stop(cause);
  }

  /** Resolves when every attempt has ended, or after `timeoutMs`; true if all ended. */
  async settle(timeoutMs: number): Promise<boolean> {
    const all = Promise.all([...this.active.values()].map((entry) => entry.done)).then(() => true);
    return (await within(all, timeoutMs)) ?? false;
  }
}
