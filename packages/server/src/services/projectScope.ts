import { DEFAULT_PROJECT, type MessageAuthor, NexaError, type Principal } from '@nexa/core';
import type { TaskRow } from './taskRows.js';
import type { TaskService } from './tasks.js';
import type { WorkerNames } from './workerNames.js';

/**
 * The project a call works in. A task token works only in its own project:
 * asking for another is refused; leaving it out means its own. People default
 * to `default` (isolation between people comes with teams).
 */
export function projectFor(principal: Principal, requested: string | undefined): string {
  const own = principal.task?.project;
  if (own === undefined) return requested ?? DEFAULT_PROJECT;
  if (requested !== undefined && requested !== own) {
    throw new NexaError('forbidden', `a task token works only in its own project (${own})`, {
      hint: 'leave the project out: it defaults to the task’s own',
    });
  }
  return own;
}

/** Whether a row of `project` exists for this caller: a task token sees only its own project's. */
export function sees(principal: Principal, project: string): boolean {
  return principal.task === undefined || principal.task.project === project;
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
