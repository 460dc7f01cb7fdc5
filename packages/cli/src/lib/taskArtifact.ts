import { NexaError, type StoredTaskEvent } from '@nexa/core';
import type { NexaClient } from '../client/createClient.js';

export type Artifact = Extract<StoredTaskEvent, { kind: 'artifact' }>;

/** The task's last recorded changes (its `artifact` event): what `nexa diff` and the TUI's `D` show. */
export async function readArtifact(client: NexaClient, taskId: string): Promise<Artifact> {
  await client.tasks.get.query({ id: taskId }); // not_found first
  let artifact: StoredTaskEvent | undefined;
  for (let after = 0; ; ) {
    // Pages are bounded by bytes as well as count: only an empty page means the end.
    const page = await client.events.list.query({ taskId, afterSeq: after, limit: 1000 });
    if (page.length === 0) break;
    artifact = page.findLast((event) => event.kind === 'artifact') ?? artifact;
    after = page.at(-1)?.seq ?? after;
  }
  if (artifact?.kind !== 'artifact') {
    throw new NexaError('not_found', `task ${taskId} has no recorded changes`, {
      hint: 'only tasks run with --repo have them, once they have ended',
    });
  }
  return artifact;
}
