import { Redactor, type TaskEvent } from '@nexa/core';
import type { SecretStore } from './secrets.js';
import type { TaskService } from './tasks.js';

/** How many tasks' secret values are kept in memory (oldest forgotten first; read again when needed). */
const REMEMBERED_TASKS = 10_000;

/** What a task names of the secret store, as the append path has it from its task row. */
export interface TaskWithSecrets {
  id: string;
  project: string;
  secrets: readonly string[];
}

/**
 * The coordinator's own guard: whatever a task's worker sends or its token
 * posts, a value of a secret the task was given is replaced by
 * `[redacted:NAME]` before it is stored. (The worker redacts first, also
 * across writes; this catches a worker that did not.) Tasks that name no
 * secret never reach here.
 */
export class TaskSecrets {
  /** By task: its secrets' redactor (the worker's own, from core), or null when it has none to redact. */
  private readonly remembered = new Map<string, Redactor | null>();

  constructor(
    private readonly store: SecretStore,
    private readonly tasks: TaskService,
  ) {}

  /** The values an assignment carries (none: the task names no secret); its events are redacted of them. */
  remember(taskId: string, values: Readonly<Record<string, string>>): void {
    const redactor = new Redactor(Object.entries(values).map(([name, value]) => ({ name, value })));
    this.remembered.delete(taskId);
    this.remembered.set(taskId, redactor.active ? redactor : null);
    if (this.remembered.size > REMEMBERED_TASKS) {
      const oldest = this.remembered.keys().next().value;
      if (oldest !== undefined) this.remembered.delete(oldest);
    }
  }

  forget(taskId: string): void {
    this.remembered.delete(taskId);
  }

  /** A task's events with its secrets' values redacted. */
  async redactEvents(task: TaskWithSecrets, events: TaskEvent[]): Promise<TaskEvent[]> {
    const secrets = await this.of(task);
    if (!secrets) return events;
    return events.map((event) => secrets.redactDeep(event));
  }

  /**
   * A message a task token posts, redacted of its task's secrets: at once
   * for a task assigned since this coordinator started (so its posts keep
   * their order), after a read for one from before a restart.
   */
  redactPost(taskId: string, body: string): string | Promise<string> {
    return this.redactWritten(taskId, body);
  }

  /** Anything else a task token writes (a question, a key's JSON value): every string in it redacted. */
  redactWritten<T>(taskId: string, value: T): T | Promise<T> {
    const secrets = this.remembered.get(taskId);
    if (secrets !== undefined) return secrets ? secrets.redactDeep(value) : value;
    return this.tasks.row(taskId).then(async (task) => {
      const read = task ? await this.of(task) : null;
      return read ? read.redactDeep(value) : value;
    });
  }

  /** From memory, or (after a restart) read again from the store. */
  private async of(task: TaskWithSecrets): Promise<Redactor | null> {
    const known = this.remembered.get(task.id);
    if (known !== undefined) return known;
    this.remember(
      task.id,
      task.secrets.length === 0 ? {} : await this.store.values(task.project, task.secrets),
    );
    return this.remembered.get(task.id) ?? null;
  }
}
