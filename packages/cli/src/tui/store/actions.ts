import type { TaskSpecInput } from '@nexa/core';

/**
 * What the person can ask of the coordinator from the TUI. The live app
 * implements it with the client; component tests pass a recorder. Each
 * resolves to the one line the status area shows, or throws a NexaError.
 */
export interface TuiActions {
  approve(approvalId: string, always: boolean): Promise<string>;
  deny(approvalId: string, reason: string): Promise<string>;
  cancel(taskId: string): Promise<string>;
  retry(taskId: string): Promise<string>;
  drain(workerId: string): Promise<string>;
  undrain(workerId: string): Promise<string>;
  submit(spec: TaskSpecInput): Promise<string>;
  /** Posts a message in a thread (a task's id is its thread: the agent gets it as its next turn), as `nexa say`. */
  post(threadId: string, body: string, replyTo: string | null): Promise<string>;
  /** Answers an agent's question (ask_human) with text, as `nexa answer`. */
  answer(approvalId: string, text: string): Promise<string>;
  /** The task's recorded diff, as `nexa diff` prints it. */
  diff(taskId: string): Promise<string>;
  /** Leaves the TUI (after the caller asked, when tasks are running under `nexa up`). */
  quit(): void;
}
