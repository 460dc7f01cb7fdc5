import type { AgentName, ApprovalAction, ApprovalDecision, TaskEventBody, TaskSpec } from '@nexa/core';
import type { FollowUpInbox } from '../followUps.js';
import type { NexaMcpServer } from '../nexaMcp.js';
import type { ExitInfo, SandboxProcess, SpawnRequest } from '../sandbox/index.js';

export type { FollowUpInbox } from '../followUps.js';
export type { NexaMcpServer } from '../nexaMcp.js';

/** Where an agent sends what it does; `emit` returns false when the caller should slow down. */
export interface EventSink {
  emit(event: TaskEventBody): boolean;
  /** Resolves once the sink has room again after `emit` returned false. */
  writable(): Promise<void>;
}

/** A sandbox already set up with the task's network, limits and image: agents only say what to run. */
export interface TaskSandbox {
  name: string;
  /** The working copy as the agent sees it: /work in a walled sandbox, the host path in a process. */
  workdir: string;
  spawn(request: Pick<SpawnRequest, 'argv' | 'workdir' | 'env' | 'stdin'>): SandboxProcess;
}

/** What an agent asks permission for, with the agent's own id for the request (unique within the run). */
export interface ApprovalRequest extends ApprovalAction {
  key: string;
}

/**
 * Where an agent's permission requests go: the coordinator's approvals queue,
 * where a policy or a person decides. The gate records the request and the
 * decision in the task's log; an agent only asks and acts on the answer.
 * A request still open when the run is stopped resolves as `cancelled`.
 */
export interface ApprovalGate {
  ask(request: ApprovalRequest): Promise<ApprovalDecision>;
}

export interface AgentRun {
  spec: TaskSpec;
  workdir: string;
  /** The task's environment plus what the worker passes to agents (--pass-env). */
  env: Record<string, string>;
  /**
   * The agent's program, resolved on the worker (--agent-bin or PATH): for
   * claude and codex their CLI, for acp the task's agent command with its
   * first word resolved. Empty for shell, whose command is the task's own.
   */
  program: string[];
  approvals: ApprovalGate;
  sandbox: TaskSandbox;
  events: EventSink;
  /** `nexa mcp`, to hand the agent as an MCP server named `nexa`; absent when the attempt has no token. */
  mcp?: NexaMcpServer | undefined;
  /**
   * People's messages in the task's thread while it runs: an agent that takes
   * follow-ups sends the next one as its next user turn when a turn ends, and
   * ends only when none is waiting.
   */
  followUps: FollowUpInbox;
  /** `nexa continue`: pick up this session of the agent, with `prompt` as the next turn. */
  resume?: { sessionId: string; prompt: string } | undefined;
  /** Aborted when the agent must stop (cancel, timeout, shutdown): it gets `graceMs` to end cleanly. */
  signal: AbortSignal;
  graceMs: number;
}

/** Turns one agent's own stream into Nexa events. Adding one means one file here and one line in index.ts. */
export interface Agent {
  readonly name: AgentName;
  run(run: AgentRun): Promise<ExitInfo>;
}
