import {
  agentKinds,
  isActiveStatus,
  isTerminalStatus,
  type MessageAuthor,
  NexaError,
  type RunningAttempt,
} from '@nexa/core';
import type { Database } from '../db/open.js';
import type { Writer } from '../db/writeQueue.js';
import type { Assignments } from './assignments.js';
import type { EventLog } from './eventLog.js';
import type { TaskLifecycle } from './lifecycle.js';
import type { TaskRow } from './taskRows.js';
import type { TaskService } from './tasks.js';
import type { ThreadService } from './threads.js';
import type { WorkerHub, WorkerSession } from './workerHub.js';

/** Requests that change a task's course: cancel, retry, hand back, and a worker's reconnect. */
export class TaskControl {
  constructor(
    private readonly database: Database,
    private readonly tasks: TaskService,
    private readonly events: EventLog,
    private readonly lifecycle: TaskLifecycle,
    private readonly hub: WorkerHub,
    private readonly kick: () => void,
    private readonly assignments: Assignments,
    private readonly threads: ThreadService,
  ) {}

  /**
   * `nexa continue ID "more"`: a finished agent task whose agent can resume,
   * and which recorded its session, runs again on the worker that kept its
   * working copy, resuming that session with `prompt` (posted in its thread).
   */
  async continue(taskId: string, prompt: string, author: MessageAuthor): Promise<void> {
    await this.database.writes.run(async (writer) => {
      const task = await this.tasks.mustRow(taskId);
      const kind = agentKinds[task.agent as keyof typeof agentKinds];
      if (!kind?.resume) {
        const resumable = Object.entries(agentKinds)
          .filter(([, agent]) => agent.resume !== null)
          .map(([name]) => name);
        throw new NexaError(
          'invalid_input',
          `${listed(resumable)} tasks can be continued; ${task.agent} tasks cannot`,
          { hint: `start a new task instead (nexa run)` },
        );
      }
      if (!isTerminalStatus(task.status)) {
        throw new NexaError(
          'conflict',
          `task ${taskId} is ${task.status}; only a finished task can be continued`,
          {
            hint: `send it a message instead: nexa say ${taskId} "..."`,
          },
        );
      }
      const session = await this.events.latest(taskId, 'session');
      const attempts = await this.tasks.attempts(taskId);
      const workerId = attempts.at(-1)?.workerId;
      if (session?.kind !== 'session' || !workerId) {
        throw new NexaError('conflict', `task ${taskId} recorded no agent session to resume`, {
          hint: 'start a new task instead (nexa run)',
        });
      }
      await this.lifecycle.continueOn(writer, task, workerId, prompt);
      await this.threads.postIn(writer, taskId, author, { body: prompt, kind: 'message', replyTo: null });
    });
    this.kick();
  }

  /**
   * Cancels a task and every task it started that is still active, on
   * whichever workers they run, in one write: a queued one ends at once; a
   * running one's worker gets a stop (SIGTERM, then SIGKILL after the grace
   * period) and the task ends `cancelled` whatever its agent does.
   */
  cancel(taskId: string, by: string): Promise<void> {
    return this.database.writes.run(async (writer) => {
      const task = await this.tasks.mustRow(taskId);
      const descendants = await this.tasks.activeDescendants(taskId);
      if (isTerminalStatus(task.status) && descendants.length === 0) {
        throw new NexaError('conflict', `task ${taskId} has already ended (${task.status})`);
      }
      for (const row of [task, ...descendants]) {
        if (isTerminalStatus(row.status)) continue;
        await this.cancelOne(
          writer,
          row,
          row === task ? `cancelled by ${by}` : `cancelled with ${taskId} by ${by}`,
        );
      }
    });
  }

  private async cancelOne(writer: Writer, task: TaskRow, reason: string): Promise<void> {
    if (task.status === 'queued') {
      await this.lifecycle.end(writer, task, 'cancelled', reason);
      return;
    }
    if (task.cancelRequestedAt === null) await this.tasks.requestCancel(writer, task.id, Date.now());
    // If the worker is away its lease runs out and the attempt ends cancelled then.
    this.hub.send(task.workerId as string, {
      type: 'stop',
      taskId: task.id,
      attempt: task.attempt,
      reason: 'cancelled',
      graceMs: task.graceMs,
    });
  }

  async retry(taskId: string): Promise<void> {
    await this.database.writes.run(async (writer) =>
      this.lifecycle.retry(writer, await this.tasks.mustRow(taskId)),
    );
    this.kick();
  }

  /** A shutting-down worker gives back an attempt it stopped; it runs again elsewhere. */
  async handBack(workerId: string, attempt: RunningAttempt): Promise<void> {
    await this.database.writes.run(async (writer) => {
      const task = await this.tasks.mustRow(attempt.taskId);
      if (task.workerId !== workerId || task.attempt !== attempt.attempt || !isActiveStatus(task.status))
        return;
      await this.lifecycle.handBack(writer, task);
    });
    this.kick();
  }

  /**
   * Squares what a (re)connected worker runs with what the coordinator
   * thinks it runs. Attempts it should no longer run are stopped; tasks
   * assigned to it before this session that it never got are sent again;
   * tasks it was running but no longer has (it restarted) run again elsewhere.
   */
  async reconcile(session: WorkerSession, running: RunningAttempt[]): Promise<void> {
    const requeued = await this.database.writes.run(async (writer) => {
      let changed = false;
      const held = await this.tasks.activeOf(session.workerId);
      const reported = new Map(running.map((r) => [r.taskId, r.attempt]));
      for (const { taskId, attempt } of running) {
        const task = held.find((t) => t.id === taskId && t.attempt === attempt);
        if (!task) {
          this.hub.send(session.workerId, {
            type: 'stop',
            taskId,
            attempt,
            reason: 'reassigned',
            graceMs: 0,
          });
        }
      }
      for (const task of held) {
        if (reported.get(task.id) === task.attempt) continue;
        if ((task.assignedAt ?? 0) >= session.openedAt) continue; // assigned through this very session
        if (task.status === 'assigned') {
          const firstSeq = (await this.events.lastSeq(task.id)) + 1;
          this.hub.send(session.workerId, {
            type: 'assign',
            assignment: await this.assignments.of(task, firstSeq),
          });
        } else {
          await this.lifecycle.attemptLost(
            writer,
            task,
            `lost when worker ${session.registration.name} restarted`,
          );
          changed = true;
        }
      }
      return changed;
    });
    if (requeued) this.kick();
  }
}

/** "a", "a and b", "a, b and c". */
function listed(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
