import { formatLabels, NexaError, newId, type Principal, type WorkerRegistration } from '@nexa/core';
import { and, eq, isNull } from 'drizzle-orm';
import type { TokenService } from '../auth/tokens.js';
import type { Database } from '../db/open.js';
import { tokens, workers } from '../db/schema.js';
import type { Writer } from '../db/writeQueue.js';

/** What `workers.join` hands a worker: its own credential and what it allows. */
export interface JoinedWorker {
  workerId: string;
  name: string;
  token: string;
  labels: Record<string, string> | null;
  projects: string[] | null;
}

type WorkerRow = typeof workers.$inferSelect;

const nameHeld = (name: string) =>
  new NexaError('conflict', `worker name ${name} is held by another worker's credential`, {
    hint: 'give this worker another name with --name, or revoke the other: nexa workers revoke NAME',
  });

/**
 * Whether a worker row's name is held by a live credential: one made when a
 * worker joined, neither revoked with `nexa workers revoke` nor as a token.
 */
async function heldByCredential(writer: Writer, row: WorkerRow | undefined): Promise<string | null> {
  if (!row?.credentialJti || row.revokedAt !== null) return null;
  const [credential] = await writer.db
    .select({ jti: tokens.jti })
    .from(tokens)
    .where(and(eq(tokens.jti, row.credentialJti), isNull(tokens.revokedAt)));
  return credential ? credential.jti : null;
}

/**
 * Workers that join with a join token and then connect with their own
 * credential, bound to one worker id and name, the labels it may claim and
 * the projects it may serve.
 */
export class WorkerCredentials {
  constructor(
    private readonly database: Database,
    private readonly tokenService: TokenService,
  ) {}

  /**
   * One write: the join token's uses, the name, the worker row, the
   * credential's row and the use counted together, so two workers racing on
   * a one-use token cannot both join.
   */
  async join(principal: Principal, name: string): Promise<JoinedWorker> {
    const issued = await this.database.writes.run(async (writer) => {
      const { db } = writer;
      const [joinRow] = await db.select().from(tokens).where(eq(tokens.jti, principal.jti));
      if (!joinRow || joinRow.joinUses === null || joinRow.revokedAt !== null) {
        throw new NexaError('unauthorized', 'this is not a live join token', {
          hint: 'make one on the coordinator: nexa token create --role worker --join',
        });
      }
      if (joinRow.expiresAt !== null && joinRow.expiresAt <= Date.now()) {
        throw new NexaError('unauthorized', 'the join token has expired', {
          hint: 'make a new one: nexa token create --role worker --join --ttl 1h',
        });
      }
      if (joinRow.joinUsed >= joinRow.joinUses) {
        throw new NexaError(
          'unauthorized',
          `the join token has been used up (${joinRow.joinUsed} of ${joinRow.joinUses} workers joined)`,
          { hint: 'make a new one: nexa token create --role worker --join --uses N' },
        );
      }
      const [existing] = await db.select().from(workers).where(eq(workers.name, name));
      if (await heldByCredential(writer, existing)) throw nameHeld(name);
      // A worker registered by any other token keeps its name, its id and the tasks it holds: a
      // join token (of any projects) taking them over would take over its leases too. Only a
      // revoked worker's name is free to join under (its tasks were queued again when it was revoked).
      if (existing && existing.revokedAt === null) {
        throw new NexaError('conflict', `a worker named ${name} is registered already`, {
          hint: `give this worker another name with --name, or revoke that one first: nexa workers revoke ${name}`,
        });
      }
      const workerId = existing?.id ?? newId('w');
      const credential = this.tokenService.rowFor('worker', `worker:${name}`, undefined, joinRow.subject, {
        projects: joinRow.projects ?? null,
        workerLabels: joinRow.workerLabels ?? null,
        worker: { id: workerId, name },
      });
      await db.insert(tokens).values(credential);
      const now = Date.now();
      const bound = { credentialJti: credential.jti, revokedAt: null, projects: joinRow.projects ?? null };
      if (existing) await db.update(workers).set(bound).where(eq(workers.id, workerId));
      else {
        // Made now so the name is held at once; what it runs is filled in when it connects.
        await db.insert(workers).values({
          id: workerId,
          name,
          labels: {},
          capacity: 0,
          version: '',
          sandboxes: [],
          agents: [],
          status: 'offline',
          createdAt: now,
          ...bound,
        });
      }
      await db
        .update(tokens)
        .set({ joinUsed: joinRow.joinUsed + 1 })
        .where(eq(tokens.jti, joinRow.jti));
      return { credential, workerId };
    });
    const signed = await this.tokenService.sign(issued.credential);
    return {
      workerId: issued.workerId,
      name,
      token: signed.token,
      labels: issued.credential.workerLabels ?? null,
      projects: signed.projects,
    };
  }

  /**
   * What a connecting worker may register as, checked inside the write that
   * registers it: a credential's own name, labels and projects only; a name
   * another credential holds by nobody else. Returns the worker id to use
   * (a credential's) and the projects it serves (null: every project).
   */
  async admit(
    writer: Writer,
    principal: Principal,
    registration: WorkerRegistration,
    existing: WorkerRow | undefined,
  ): Promise<{ workerId: string | null; projects: string[] | null }> {
    const own = principal.worker;
    if (existing?.revokedAt != null) {
      throw new NexaError('forbidden', `worker ${registration.name} was revoked`, {
        hint: 'join it again with a new join token: nexa token create --role worker --join',
      });
    }
    if (own) {
      if (existing && existing.id !== own.id) throw nameHeld(registration.name);
      if (registration.name !== own.name) {
        throw new NexaError(
          'forbidden',
          `this worker's credential is for the name ${own.name}, not ${registration.name}`,
          { hint: `start it with --name ${own.name}, or join again with a new join token` },
        );
      }
      const refused = Object.entries(registration.labels).find(
        ([key, value]) => own.labels !== null && own.labels[key] !== value,
      );
      if (refused && own.labels !== null) {
        const allowed = Object.keys(own.labels).length > 0 ? formatLabels(own.labels) : 'none';
        throw new NexaError(
          'forbidden',
          `label ${refused[0]}=${refused[1]} is not allowed by this worker's credential (allowed: ${allowed})`,
          { hint: 'leave it out, or join with a join token made with --labels that allow it' },
        );
      }
    } else if (await heldByCredential(writer, existing)) {
      throw nameHeld(registration.name);
    }
    const allowed = principal.projects;
    const asked = registration.projects;
    const outside = allowed === null ? undefined : asked.find((project) => !allowed.includes(project));
    if (outside !== undefined) {
      throw new NexaError('forbidden', `this worker's token does not allow project ${outside}`, {
        hint: `it may serve ${allowed?.join(', ')}; leave --project out to serve all of them`,
      });
    }
    return {
      workerId: own?.id ?? null,
      projects: asked.length > 0 ? [...new Set(asked)] : allowed,
    };
  }
}
