import type { TaskSpecInput } from '@nexa/core';
import type { NexaConnection } from '@nexa/core/client';
import { toNexaError } from '@nexa/core/client';
import type { AppRouter } from '@nexa/server';
import { readArtifact } from '../../lib/taskArtifact.js';
import { shortId } from '../components/cells.js';
import type { TuiActions } from '../store/actions.js';

/** The TUI's actions as calls to the coordinator; each answer is the line the hint bar shows. */
export function clientActions(
  nexa: NexaConnection<AppRouter>,
  server: string,
  hooks: { quit(): void; submitted(taskId: string): void },
): TuiActions {
  const { client } = nexa;
  const call = async <T>(request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (error) {
      throw toNexaError(error, server);
    }
  };
  return {
    approve: async (id, always) => {
      await call(() => client.approvals.answer.mutate({ id, approve: true, always }));
      return `approved ${id}${always ? ' (always)' : ''}`;
    },
    deny: async (id, reason) => {
      await call(() => client.approvals.answer.mutate({ id, approve: false, reason }));
      return `denied ${id}: ${reason}`;
    },
    cancel: async (taskId) => {
      await call(() => client.tasks.cancel.mutate({ id: taskId }));
      return `cancelling ${shortId(taskId)} (nexa cancel ${taskId})`;
    },
    retry: async (taskId) => {
      await call(() => client.tasks.retry.mutate({ id: taskId }));
      return `queued ${shortId(taskId)} again (nexa retry ${taskId})`;
    },
    drain: async (workerId) => {
      const worker = await call(() => client.workers.drain.mutate({ id: workerId }));
      return `draining ${worker?.name ?? workerId}: it takes no new tasks`;
    },
    undrain: async (workerId) => {
      const worker = await call(() => client.workers.undrain.mutate({ id: workerId }));
      return `${worker?.name ?? workerId} takes tasks again`;
    },
    submit: async (spec: TaskSpecInput) => {
      const task = await call(() => client.tasks.submit.mutate(spec));
      hooks.submitted(task.id);
      return `submitted ${task.id}`;
    },
    post: async (threadId, body, replyTo) => {
      const message = await call(() => client.threads.post.mutate({ threadId, body, replyTo }));
      const to = message.threadId.startsWith('t-') ? `${shortId(threadId)}'s agent` : shortId(threadId);
      return `sent to ${to} (nexa say ${threadId}${replyTo ? ` --reply-to ${replyTo}` : ''})`;
    },
    answer: async (id, text) => {
      await call(() => client.approvals.answer.mutate({ id, text }));
      return `answered ${id} (nexa answer ${id})`;
    },
    diff: async (taskId) => (await call(() => readArtifact(client, taskId))).patch,
    quit: hooks.quit,
  };
}
