import type { Assignment } from '@nexa/core';
import type { TokenService } from '../auth/tokens.js';
import type { EventLog } from './eventLog.js';
import { specFromRow, type TaskRow } from './taskRows.js';

/**
 * What a worker is sent to run an attempt: the spec, where its log goes on,
 * and the attempt's own task token for the agent's `nexa mcp` (minted for
 * every assignment, good only while that attempt runs).
 */
export class Assignments {
  constructor(
    private readonly tokens: TokenService,
    private readonly events: EventLog,
  ) {}

  async of(task: TaskRow, firstSeq: number): Promise<Assignment> {
    return {
      taskId: task.id,
      attempt: task.attempt,
      firstSeq,
      spec: specFromRow(task),
      secrets: {},
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
