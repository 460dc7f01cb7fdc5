import { limits, NexaError, type SecretInfo } from '@nexa/core';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { projects, secrets } from '../db/schema.js';
import type { Writer } from '../db/writeQueue.js';
import { seal, unseal } from './sealing.js';

/**
 * The secret store: values sealed under the coordinator's key, listed by
 * name only, opened for nothing but a task's assignment.
 */
export class SecretStore {
  constructor(
    private readonly database: Database,
    private readonly key: Uint8Array,
    private readonly log: (line: string) => void,
  ) {}

  /** Sets (or replaces) a secret of a project that exists. */
  set(project: string, name: string, value: string, setBy: string): Promise<SecretInfo> {
    const sealed = seal(this.key, project, name, value);
    return this.database.writes.run(async (writer) => {
      await mustExist(writer, project);
      const [counted] = await writer.db
        .select({ secrets: sql<number>`count(*)` })
        .from(secrets)
        .where(and(eq(secrets.project, project), sql`${secrets.name} <> ${name}`));
      if ((counted?.secrets ?? 0) >= limits.secrets.perProject) {
        throw new NexaError(
          'conflict',
          `project ${project} holds ${limits.secrets.perProject} secrets, the limit for one project`,
          { hint: 'remove one first: nexa secret rm NAME' },
        );
      }
      const row = { project, name, sealed, setBy, setAt: Date.now() };
      await writer.db
        .insert(secrets)
        .values(row)
        .onConflictDoUpdate({
          target: [secrets.project, secrets.name],
          set: { sealed, setBy, setAt: row.setAt },
        });
      return info(row);
    });
  }

  /** Names, who set them and when: never a value. */
  async list(project: string): Promise<SecretInfo[]> {
    const rows = await this.database.db
      .select({ project: secrets.project, name: secrets.name, setBy: secrets.setBy, setAt: secrets.setAt })
      .from(secrets)
      .where(eq(secrets.project, project))
      .orderBy(asc(secrets.name));
    return rows.map(info);
  }

  async remove(project: string, name: string): Promise<{ removed: boolean }> {
    return this.database.writes.run(async (writer) => {
      const removed = await writer.db
        .delete(secrets)
        .where(and(eq(secrets.project, project), eq(secrets.name, name)))
        .returning({ name: secrets.name });
      return { removed: removed.length > 0 };
    });
  }

  /**
   * A submitted task may name only secrets its project holds, and none that
   * one of its own variables already names (which would win is not obvious).
   */
  async checkNamed(
    project: string,
    names: readonly string[],
    env: Readonly<Record<string, string>>,
  ): Promise<void> {
    if (names.length === 0) return;
    const clash = names.find((name) => Object.hasOwn(env, name));
    if (clash) {
      throw new NexaError(
        'invalid_input',
        `${clash} is both a secret and an environment variable of the task`,
        {
          hint: `drop --env ${clash}=...: the secret sets it`,
        },
      );
    }
    const found = new Set(
      (
        await this.database.db
          .select({ name: secrets.name })
          .from(secrets)
          .where(and(eq(secrets.project, project), inArray(secrets.name, [...names])))
      ).map((row) => row.name),
    );
    const missing = names.find((name) => !found.has(name));
    if (missing) {
      throw new NexaError('invalid_input', `no secret "${missing}" in project ${project}`, {
        hint: `set it: nexa secret set ${missing} --project ${project}`,
      });
    }
  }

  /**
   * The values of a task's secrets, for its assignment. One removed since
   * the task was submitted, or one this key cannot open, is left out (and
   * said in the server's log): the worker fails the task naming it.
   */
  async values(project: string, names: readonly string[]): Promise<Record<string, string>> {
    if (names.length === 0) return {};
    const rows = await this.database.db
      .select({ name: secrets.name, sealed: secrets.sealed })
      .from(secrets)
      .where(and(eq(secrets.project, project), inArray(secrets.name, [...names])));
    const values: Record<string, string> = {};
    for (const row of rows) {
      try {
        values[row.name] = unseal(this.key, project, row.name, row.sealed);
      } catch (error) {
        this.log(`secrets: ${(error as Error).message}`);
      }
    }
    return values;
  }
}

/** A write into a project needs the project (admins' too): a typo is not a new project. */
async function mustExist(writer: Writer, project: string): Promise<void> {
  const [row] = await writer.db
    .select({ name: projects.name })
    .from(projects)
    .where(eq(projects.name, project));
  if (!row) {
    throw new NexaError('not_found', `no project "${project}"`, {
      hint: `an admin creates it: nexa projects create ${project}`,
    });
  }
}

function info(row: { project: string; name: string; setBy: string; setAt: number }): SecretInfo {
  return { project: row.project, name: row.name, setBy: row.setBy, setAt: new Date(row.setAt).toISOString() };
}
