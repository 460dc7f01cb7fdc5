import type { CoordinatorClient } from '../connection.js';
import type { McpIdentity } from './tool.js';

/**
 * Who the token is, asked of the coordinator once (the first tool call) and
 * kept: a task token names its task and project, which are every tool's
 * defaults. A person's token (tests, a person running `nexa mcp` by hand)
 * names no task and works in `project`. A failed ask is asked again next time.
 */
export function identityOf(client: CoordinatorClient, project: string): () => Promise<McpIdentity> {
  let known: Promise<McpIdentity> | undefined;
  return () => {
    known ??= client.auth.whoami.query().then(
      (principal) =>
        principal.task
          ? { taskId: principal.task.id, project: principal.task.project }
          : { taskId: null, project },
      (error: unknown) => {
        known = undefined;
        throw error;
      },
    );
    return known;
  };
}
