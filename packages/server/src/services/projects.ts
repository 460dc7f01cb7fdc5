import { DEFAULT_PROJECT, NexaError, type Principal, type Project } from '@nexa/core';
import { and, asc, count, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Database } from '../db/open.js';
import { kv, projects, secrets, tasks, tokens } from '../db/schema.js';
import { noProject, projectFor, visibleProjects } from './projectScope.js';
import { openStatuses } from './tasks.js';

type ProjectRow = typeof projects.$inferSelect;

function projectFromRow(row: ProjectRow): Project {
  return { name: row.name, createdBy: row.createdBy, createdAt: new Date(row.createdAt).toISOString() };
}

/**
 * The projects that exist: admins create and remove them; every call that
 * works in a project checks it exists here. Their names are kept in memory
 * (there are few, and every call asks).
 */
export class ProjectService {
  private known: Promise<Set<string>> | undefined;

  constructor(private readonly database: Database) {}

  private names(): Promise<Set<string>> {
    this.known ??= this.database.db
      .select({ name: projects.name })
      .from(projects)
      .then((rows) => new Set(rows.map((row) => row.name)))
      .catch((error: unknown) => {
        this.known = undefined; // read again on the next call
        throw error;
      });
    return this.known;
  }

  async exists(name: string): Promise<boolean> {
    return (await this.names()).has(name);
  }

  /**
   * The project a call works in (projectScope.projectFor), which must exist:
   * one that does not is `not_found` with the same words as one the caller
   * is not in.
   */
  async scope(principal: Principal, requested: string | undefined): Promise<string> {
    const project = projectFor(principal, requested);
    if (!(await this.exists(project))) throw noProject(project);
    return project;
  }

  /** The project a write works in: the caller's (projectFor), and it must exist (admins too). */
  async scopeForWrite(principal: Principal, requested: string | undefined): Promise<string> {
    const project = projectFor(principal, requested);
    await this.mustExist(project);
    return project;
  }

  /** A write into `name` (admins too): it must exist, or an admin is told how to make it. */
  async mustExist(name: string): Promise<void> {
    if (!(await this.exists(name))) {
      throw new NexaError('not_found', `no project "${name}"`, {
        hint: `an admin creates it: nexa projects create ${name}`,
      });
    }
  }

  /** The projects a caller sees, by name. */
  async list(principal: Principal): Promise<Project[]> {
    const visible = visibleProjects(principal);
    const rows = await this.database.db
      .select()
      .from(projects)
      .where(visible === null ? undefined : inArray(projects.name, [...visible]))
      .orderBy(asc(projects.name));
    return rows.map(projectFromRow);
  }

  async create(name: string, createdBy: string): Promise<Project> {
    const row: ProjectRow = { name, createdBy, createdAt: Date.now() };
    await this.database.writes.run(async (writer) => {
      const inserted = await writer.db.insert(projects).values(row).onConflictDoNothing();
      if (inserted.rowsAffected === 0) {
        throw new NexaError('conflict', `project "${name}" exists already`, {
          hint: 'see nexa projects list',
        });
      }
      writer.afterward(() => void this.names().then((names) => names.add(name)));
    });
    return projectFromRow(row);
  }

  /**
   * Removes a project with its secrets and keys; its finished tasks and
   * threads stay for admins to read. Refused while any of its tasks is
   * waiting or running, and for `default`. The name leaves the known set
   * before the write, so a task submitted meanwhile is refused rather than
   * queued into a project that is going away.
   */
  async remove(name: string): Promise<{ removed: true }> {
    if (name === DEFAULT_PROJECT) {
      throw new NexaError('invalid_input', 'the default project cannot be removed');
    }
    const names = await this.names();
    if (!names.has(name)) throw noProject(name);
    names.delete(name);
    try {
      await this.database.writes.run(async (writer) => {
        const { db } = writer;
        const [open] = await db
          .select({ tasks: count() })
          .from(tasks)
          .where(and(eq(tasks.project, name), inArray(tasks.status, openStatuses)));
        if ((open?.tasks ?? 0) > 0) {
          throw new NexaError('conflict', `project "${name}" has ${open?.tasks} unfinished tasks`, {
            hint: `cancel them first: nexa tasks list --project ${name}`,
          });
        }
        // A token that names the project would be a member again of any later project of that name.
        const [named] = await db
          .select({ tokens: count() })
          .from(tokens)
          .where(
            and(
              isNull(tokens.revokedAt),
              or(isNull(tokens.expiresAt), gt(tokens.expiresAt, Date.now())),
              sql`exists (select 1 from json_each(${tokens.projects}) where value = ${name})`,
            ),
          );
        if ((named?.tokens ?? 0) > 0) {
          throw new NexaError(
            'conflict',
            `project "${name}" is still named by ${named?.tokens} live tokens`,
            {
              hint: 'revoke them first (nexa token list shows their projects; nexa workers revoke for a worker)',
            },
          );
        }
        await db.batch([
          db.delete(projects).where(eq(projects.name, name)),
          db.delete(secrets).where(eq(secrets.project, name)),
          db.delete(kv).where(eq(kv.project, name)),
        ]);
      });
    } catch (error) {
      names.add(name);
      throw error;
    }
    return { removed: true };
  }
}
