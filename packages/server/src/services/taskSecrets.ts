import type { TaskEvent } from '@nexa/core';
import type { SecretStore } from './secrets.js';
import type { TaskService } from './tasks.js';

/** Shorter values are not redacted (as on the worker): every "x" would become a redaction. */
const MIN_REDACTED_LENGTH = 4;
/** How many tasks' secret values are kept in memory (oldest forgotten first; read again when needed). */
const REMEMBERED_TASKS = 10_000;

interface Named {
  name: string;
  value: string;
}

/** A task's secrets as one pattern of literal values, longest first, replaced in one pass. */
interface Redaction {
  pattern: RegExp;
  names: Map<string, string>;
}

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
  private readonly remembered = new Map<string, Redaction | null>();

  constructor(
    private readonly store: SecretStore,
    private readonly tasks: TaskService,
  ) {}

  /** The values an assignment carries (none: the task names no secret); its events are redacted of them. */
  remember(taskId: string, values: Readonly<Record<string, string>>): void {
    const named = Object.entries(values)
      .map(([name, value]) => ({ name, value }))
      .filter((secret) => secret.value.length >= MIN_REDACTED_LENGTH)
      .sort((a, b) => b.value.length - a.value.length); // at one place the longest wins
    this.remembered.delete(taskId);
    this.remembered.set(taskId, redaction(named));
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
    return events.map((event) => redactDeep(event, secrets));
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
    if (secrets !== undefined) return secrets ? redactDeep(value, secrets) : value;
    return this.tasks.row(taskId).then(async (task) => {
      const read = task ? await this.of(task) : null;
      return read ? redactDeep(value, read) : value;
    });
  }

  /** From memory, or (after a restart) read again from the store. */
  private async of(task: TaskWithSecrets): Promise<Redaction | null> {
    const known = this.remembered.get(task.id);
    if (known !== undefined) return known;
    this.remember(
      task.id,
      task.secrets.length === 0 ? {} : await this.store.values(task.project, task.secrets),
    );
    return this.remembered.get(task.id) ?? null;
  }
}

function redaction(secrets: readonly Named[]): Redaction | null {
  if (secrets.length === 0) return null;
  const escaped = secrets.map(({ value }) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return {
    pattern: new RegExp(escaped.join('|'), 'g'),
    names: new Map(secrets.map(({ name, value }) => [value, name])),
  };
}

function redact(text: string, { pattern, names }: Redaction): string {
  return text.replace(pattern, (value) => `[redacted:${names.get(value) ?? 'secret'}]`);
}

function redactDeep<T>(value: T, secrets: Redaction): T {
  if (typeof value === 'string') return redact(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secrets)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redactDeep(item, secrets)]),
    ) as T;
  }
  return value;
}
