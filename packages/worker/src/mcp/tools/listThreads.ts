import { defineTool, reads, rowLimit } from '../tool.js';

export const listThreads = defineTool({
  name: 'list_threads',
  title: 'List threads',
  description:
    'List this project\'s threads, most recent activity first, each with its id, title, task (null for a free thread) and message count. Example: {"limit": 20}',
  inputSchema: {
    limit: rowLimit(50),
  },
  annotations: reads,
  async run(input, { client, identity }) {
    const { project } = await identity();
    const { items } = await client.threads.list.query({ project, limit: input.limit ?? 50 });
    return items.map((t) => ({
      id: t.id,
      title: t.title,
      taskId: t.taskId,
      messages: t.messages,
      lastMessageAt: t.lastMessageAt,
    }));
  },
});
