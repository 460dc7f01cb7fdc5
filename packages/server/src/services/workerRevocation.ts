import type { WorkerInfo } from '@nexa/core';
import type { TokenService } from '../auth/tokens.js';
import type { Database } from '../db/open.js';
import type { TaskLifecycle } from './lifecycle.js';
import type { TaskService } from './tasks.js';
import type { WorkerHub } from './workerHub.js';

/**
 * `nexa workers revoke`: a worker is cut off at once. Its credential is
 * revoked (its open sockets close, its requests are refused), its session
 * ends, it may not register again, and what it ran goes back to the queue
 * as a lost worker's does.
 */
export class WorkerRevocation {
  constructor(
    private readonly database: Database,
    private readonly tokens: TokenService,
    private readonly hub: WorkerHub,
    private readonly tasks: TaskService,
    private readonly lifecycle: TaskLifecycle,
    private readonly kick: () => void,
  ) {}

  async revoke(idOrName: string): Promise<{ worker: WorkerInfo; credentialRevoked: boolean }> {
    const row = await this.hub.mustRow(idOrName);
    // First the credential: its sockets close now, before anything else is written.
    const live = row.credentialJti !== null && row.revokedAt === null;
    if (row.credentialJti !== null) await this.tokens.revoke(row.credentialJti);
    const label = `${row.name} (${row.id})`;
    await this.database.writes.run(async (writer) => {
      await this.hub.revoke(writer, row.id);
      for (const task of await this.tasks.activeOf(row.id)) {
        await this.lifecycle.attemptLost(writer, task, `worker ${label} was revoked`);
      }
    });
    this.kick();
    const worker = (await this.hub.list()).find((w) => w.id === row.id) as WorkerInfo;
    return { worker, credentialRevoked: live };
  }
}
