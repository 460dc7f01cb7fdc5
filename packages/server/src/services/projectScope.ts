import { DEFAULT_PROJECT, type MessageAuthor, NexaError, type Principal } from '@nexa/core';
import type { TaskRow } from './taskRows.js';
import type { TaskService } from './tasks.js';
import type { WorkerNames } from './workerNames.js';

/**
 * The same answer for a project that does not exist and one the caller is
 * not in, so a member cannot probe another team's project names.
 */
export function noProject(name: string): NexaError {
  return new NexaError('not_found', `no project "${name}"`, { hint: 'see nexa projects list' });
}

/** The projects a caller sees; null: every project (admins, workers allowed all). */
export function visibleProjects(principal: Principal): readonly string[] | null {
  if (principal.task) return [principal.task.project];
  return principal.projects;
}

/** Whether a row of `project` exists for this caller: anything outside its projects is not found. */
export function sees(principal: Principal, project: string): boolean {
  const visible = visibleProjects(principal);
  return visible === null || visible.includes(project);
}

/**
 * The project a call works in. A task token works only in its own project:
 * asking for another is refused; leaving it out means its own. Anyone else
 * names one of its projects (another is `not_found`, as one that does not
 * exist), or leaves it out: its only project, else `default` when it is in
 * it. Whether the project exists is ProjectService.scope's to check.
 */
export function projectFor(principal: Principal, requested: string | undefined): string {
  const own = principal.task?.project;
  if (own !== undefined) {
    if (requested !== undefined && requested !== own) {
      throw new NexaError('forbidden', `a task token works only in its own project (${own})`, {
        hint: 'leave the project out: it defaults to the task’s own',
      });
    }
    return own;
  }
  if (requested !== undefined) {
    if (!sees(principal, requested)) throw noProject(requested);
    return requested;
  }
  const mine = principal.projects;
  if (mine === null || mine.includes(DEFAULT_PROJECT)) return DEFAULT_PROJECT;
  if (mine.length === 1) return mine[0] as string;
  throw new NexaError('invalid_input', `name a project with --project: this token is in ${mine.join(', ')}`);
}

/** A task the caller may see, or `not_found` with the words of a missing one. */
export async function mustSeeTask(tasks: TaskService, principal: Principal, id: string): Promise<TaskRow> {
  const row = await tasks.row(id);
  if (!row || !sees(principal, row.project)) {
    throw new NexaError('not_found', `no task ${id}`, { hint: 'list tasks with `nexa tasks list`' });
  }
  return row;
}

/** Whether the caller sees the task `id` (a missing task: no). */
export async function canSee(tasks: TaskService, principal: Principal, id: string): Promise<boolean> {
  const row = await tasks.row(id);
  return row !== undefined && sees(principal, row.project);
}

/**
 * For a live feed of one subscriber: whether it sees a task, by id. A task's
 * project never changes, so each is looked up once (a bounded memo).
 */
export function taskVisibility(tasks: TaskService, principal: Principal): (id: string) => Promise<boolean> {
  if (visibleProjects(principal) === null) return async () => true;
  const known = new Map<string, boolean>();
  return async (id) => {
    const memo = known.get(id);
    if (memo !== undefined) return memo;
    const seen = await canSee(tasks, principal, id);
    if (known.size >= 1024) known.delete(known.keys().next().value as string);
    known.set(id, seen);
    return seen;
  };
}

/** A person as a message author: their token's subject. */
export function personAuthor(principal: Principal): MessageAuthor {
  return { kind: 'person', name: principal.subject, taskId: null, workerName: null };
}

/** Who a caller is as a message author: a person by token subject, a task as its agent on its worker. */
export class Authors {
  constructor(
    private readonly tasks: TaskService,
    private readonly names: WorkerNames,
  ) {}

  /** The caller's own task, for a task token (its attempt was checked when the call was admitted). */
  async taskOf(principal: Principal): Promise<TaskRow | undefined> {
    return principal.task ? this.tasks.mustRow(principal.task.id) : undefined;
  }

  async of(principal: Principal, task?: TaskRow): Promise<MessageAuthor> {
    const own = task ?? (await this.taskOf(principal));
    if (!own) return personAuthor(principal);
    const workerName = own.workerId
      ? ((await this.names.of([own.workerId])).get(own.workerId) ?? null)
      : null;
    return { kind: 'agent', name: own.agent, taskId: own.id, workerName };
  }
}
