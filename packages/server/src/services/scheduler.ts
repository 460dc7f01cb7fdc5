import { formatLabels, labelsMatch } from '@nexa/core';
import type { Database } from '../db/open.js';
import type { Assignments } from './assignments.js';
import type { EventLog } from './eventLog.js';
import type { LeaseBook } from './leaseBook.js';
import { Passes } from './passes.js';
import type { TaskRow } from './taskRows.js';
import type { TaskNeed, TaskService } from './tasks.js';
import type { WorkerHub, WorkerSession } from './workerHub.js';

/** Assignments made in one write: enough to start a fleet's worth at once, few enough not to hold the queue long. */
const ASSIGNMENTS_PER_WRITE = 100;

/** A task without a sandbox of its own runs in a walled one: never a plain process by default. */
const walledSandboxes = ['docker', 'bwrap'];

/** What a task needs of a worker. */
type Need = Pick<TaskRow, 'agent' | 'sandbox' | 'labels' | 'project'>;

/** A worker takes tasks only of the projects it serves (null: every project). */
function serves(session: WorkerSession, project: string): boolean {
  return session.projects === null || session.projects.includes(project);
}

function offersSandbox(session: WorkerSession, task: Need): boolean {
  const offered = session.registration.sandboxes as string[];
  return task.sandbox
    ? offered.includes(task.sandbox)
    : offered.some((name) => walledSandboxes.includes(name));
}

function canRun(session: WorkerSession, task: Need): boolean {
  const { registration } = session;
  return (
    serves(session, task.project) &&
    labelsMatch(task.labels, registration.labels) &&
    (registration.agents as string[]).includes(task.agent) &&
    offersSandbox(session, task)
  );
}

/** A continued task runs only where its working copy and agent session are kept. */
function mayTake(session: WorkerSession, task: TaskRow): boolean {
  return task.requiredWorkerId === null || task.requiredWorkerId === session.workerId;
}

/** Highest priority first, then oldest, then by id: the order `TaskService.queued` reads in. */
function schedulingOrder(a: TaskRow, b: TaskRow): number {
  return b.priority - a.priority || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Matches queued tasks to connected workers: highest priority first, then
 * oldest; a task goes to an eligible worker with the most free slots, which
 * spreads work over the fleet. Passes never overlap; a kick during a pass
 * schedules one more pass.
 */
export class Scheduler {
  // A failed pass is retried on the next kick; the queue itself is durable.
  private readonly passes = new Passes(
    () => this.pass(),
    (error) => this.log(`scheduler: ${(error as Error).message}`),
  );

  constructor(
    private readonly database: Database,
    private readonly tasks: TaskService,
    private readonly events: EventLog,
    private readonly hub: WorkerHub,
    private readonly leases: LeaseBook,
    private readonly leaseMs: number,
    private readonly log: (line: string) => void,
    private readonly assignments: Assignments,
  ) {}

  /** Asks for a scheduling pass soon; resolves (never rejects) when the passes it caused are done. */
  kick(): Promise<void> {
    return this.passes.kick();
  }

  /**
   * One pass: only the queued tasks that some worker with a free slot can
   * take, at most as many per need as there are free slots, merged into
   * scheduling order. Tasks no worker can take never stand in front of
   * those it can, however many of them wait.
   */
  private async pass(): Promise<void> {
    const sessions = this.hub.connected().filter((session) => !session.draining);
    if (sessions.length === 0) return;
    // A connected worker's load is what it holds, in memory: no count over the task table per pass.
    // Taken once, at the start: the candidates below are read for these free slots, and a slot that
    // frees while they are read belongs to the next pass (its release asks for one). Reading it live
    // let a task of a need that was not read take that slot before the higher-priority tasks that were.
    const freeAtStart = new Map(
      sessions.map((s) => [s.workerId, s.registration.capacity - this.leases.heldBy(s.workerId)]),
    );
    const free = (s: WorkerSession) => freeAtStart.get(s.workerId) ?? 0;
    const open = sessions.filter((session) => free(session) > 0);
    const slots = open.reduce((total, session) => total + free(session), 0);
    if (slots === 0) return;
    const needs = (await this.tasks.queuedNeeds()).filter((need) =>
      open.some((session) => canRun(session, need)),
    );
    const queued = (await Promise.all(needs.map((need: TaskNeed) => this.tasks.queued(need, slots))))
      .flat()
      .sort(schedulingOrder);

    // Plan in memory, then assign in few writes: when each assignment took its own turn in the
    // write queue, a group commit of output ran before every one of them.
    const planned = new Map<string, number>();
    const spare = (s: WorkerSession) => free(s) - (planned.get(s.workerId) ?? 0);
    const plan: Array<{ task: TaskRow; worker: WorkerSession; firstSeq: number }> = [];
    for (const task of queued) {
      let best: WorkerSession | undefined;
      for (const session of open) {
        if (
          spare(session) > 0 &&
          canRun(session, task) &&
          mayTake(session, task) &&
          (!best || spare(session) > spare(best))
        )
          best = session;
      }
      if (!best) continue;
      planned.set(best.workerId, (planned.get(best.workerId) ?? 0) + 1);
      // A first attempt starts an empty log; a later one continues after what earlier attempts wrote.
      const firstSeq = task.attempt === 1 ? 1 : (await this.events.lastSeq(task.id)) + 1;
      plan.push({ task, worker: best, firstSeq });
    }
    for (let start = 0; start < plan.length; start += ASSIGNMENTS_PER_WRITE) {
      const chunk = plan.slice(start, start + ASSIGNMENTS_PER_WRITE);
      const assigned = await this.database.writes.run(async (writer) => {
        const done: typeof chunk = [];
        for (const entry of chunk) {
          if (!(await this.tasks.assign(writer, entry.task, entry.worker.workerId))) continue;
          this.leases.hold(
            entry.task.id,
            entry.worker.workerId,
            entry.task.attempt,
            Date.now() + this.leaseMs,
          );
          done.push(entry);
        }
        return done;
      });
      for (const { task, worker, firstSeq } of assigned) {
        this.hub.send(worker.workerId, {
          type: 'assign',
          assignment: await this.assignments.of(task, firstSeq),
        });
      }
    }
  }

  /** Says why a queued task is not running, in words a person can act on. */
  explain(task: TaskRow): string {
    const sessions = this.hub.connected();
    if (sessions.length === 0) return 'no worker is connected';
    if (task.requiredWorkerId !== null) {
      const pinned = sessions.find((s) => s.workerId === task.requiredWorkerId);
      if (!pinned)
        return `waiting for worker ${task.requiredWorkerId}, which keeps its working copy, to connect`;
      if (this.leases.heldBy(pinned.workerId) >= pinned.registration.capacity)
        return `waiting for a free slot on ${pinned.registration.name}, which keeps its working copy`;
    }
    const serving = sessions.filter((s) => serves(s, task.project));
    if (serving.length === 0) return `no connected worker serves project ${task.project}`;
    const withLabels = serving.filter((s) => labelsMatch(task.labels, s.registration.labels));
    if (withLabels.length === 0) {
      const missing = Object.entries(task.labels).find(
        ([key, value]) => !serving.some((s) => s.registration.labels[key] === value),
      );
      return missing
        ? `no connected worker has label ${missing[0]}=${missing[1]}`
        : `no connected worker has all of the labels ${formatLabels(task.labels)}`;
    }
    const withAgent = withLabels.filter((s) => (s.registration.agents as string[]).includes(task.agent));
    if (withAgent.length === 0) {
      // A worker that has the agent but cannot run it says why; that is the reason to give.
      const cannot = withLabels.flatMap((s) =>
        s.registration.unavailableAgents
          .filter((u) => u.agent === task.agent)
          .map((u) => `worker ${s.registration.name} cannot run ${task.agent}: ${u.reason}`),
      );
      if (cannot.length > 0) {
        const more = cannot.length > 2 ? `; and ${cannot.length - 2} more` : '';
        return `${cannot.slice(0, 2).join('; ')}${more}`;
      }
      const where = Object.keys(task.labels).length > 0 ? ' with those labels' : '';
      return `no connected worker${where} has the ${task.agent} agent (put it on the worker's PATH or pass --agent-bin ${task.agent}=PATH)`;
    }
    const eligible = withAgent.filter((s) => offersSandbox(s, task));
    if (eligible.length === 0) {
      if (task.sandbox === 'process') {
        return 'no connected worker allows the process sandbox (start one with --allow-unsandboxed)';
      }
      return task.sandbox
        ? `no connected worker offers the ${task.sandbox} sandbox`
        : 'no connected worker offers a walled sandbox (docker or bwrap)';
    }
    const open = eligible.filter((s) => !s.draining);
    if (open.length === 0)
      return `every eligible worker is draining (${eligible.map((s) => s.registration.name).join(', ')})`;
    if (open.every((s) => this.leases.heldBy(s.workerId) >= s.registration.capacity)) {
      return `waiting for a free slot on ${open.map((s) => s.registration.name).join(', ')}`;
    }
    return 'waiting for tasks ahead of it (higher priority or older) to be scheduled';
  }
}
