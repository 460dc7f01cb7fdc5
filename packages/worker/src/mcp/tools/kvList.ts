import { z } from 'zod';
import { defineTool, reads, rowLimit } from '../tool.js';

export const kvList = defineTool({
  name: 'kv_list',
  title: 'List shared keys',
  description:
    'List the keys of this project\'s shared store in key order, with their values and versions, only those starting with prefix when given. Example: {"prefix": "build/"}',
  inputSchema: {
    prefix: z.string().optional().describe('Only keys that start with this.'),
    limit: rowLimit(100),
  },
  annotations: reads,
  async run(input, { client, identity }) {
    const { project } = await identity();
    const entries = await client.kv.list.query({
      project,
      limit: input.limit ?? 100,
      ...(input.prefix ? { prefix: input.prefix } : {}),
    });
    return entries.map((e) => ({ key: e.key, value: e.value, version: e.version }));
  },
});
