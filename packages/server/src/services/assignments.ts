import type { Assignment } from '@nexa/core';
import type { TokenService } from '../auth/tokens.js';
import type { EventLog } from './eventLog.js';
import type { SecretStore } from './secrets.js';
import { specFromRow, type TaskRow } from './taskRows.js';
import type { TaskSecrets } from './taskSecrets.js';

/**
 * What a worker is sent to run an attempt: the spec, where its log goes on,
 * and the attempt's own task token for the agent's `nexa mcp` (minted for
 * every assignment, good only while that attempt runs).
 */
export class Assignments {
  constructor(
    private readonly tokens: TokenService,
    private readonly events: EventLog,
    private readonly secrets: SecretStore,
    private readonly taskSecrets: TaskSecrets,
  ) {}

  async of(task: TaskRow, firstSeq: number): Promise<Assignment> {
    // Opened for this attempt only: the values travel to its worker and are kept
    // in memory to redact its events, never written anywhere in the clear.
    const secrets = await this.secrets.values(task.project, task.secrets);
    this.taskSecrets.remember(task.id, secrets);
    return {
      taskId: task.id,
      attempt: task.attempt,
      firstSeq,
      spec: specFromRow(task),
      secrets,
      token: await this.tokens.mintTask({ id: task.id, attempt: task.attempt, project: task.project }),
      ...(await this.resume(task)),
    };
  }

  /** A continued task (`nexa continue`) resumes the agent's latest session with the new prompt. */
  private async resume(task: TaskRow): Promise<Pick<Assignment, 'resume'>> {
    if (task.continuePrompt === null) return {};
    const session = await this.events.latest(task.id, 'session');
    if (session?.kind !== 'session') return {};
    return { resume: { sessionId: session.sessionId, prompt: task.continuePrompt } };
  }
}
