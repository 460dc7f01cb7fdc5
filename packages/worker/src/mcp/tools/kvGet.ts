import { z } from 'zod';
import { defineTool, reads } from '../tool.js';

export const kvGet = defineTool({
  name: 'kv_get',
  title: 'Read a shared key',
  description:
    'Read a key of this project\'s shared store: its JSON value and version, or null when it does not exist. Example: {"key": "build/status"}',
  inputSchema: { key: z.string().describe('The key, e.g. "build/status".') },
  annotations: reads,
  async run(input, { client, identity }) {
    const { project } = await identity();
    const entry = await client.kv.get.query({ project, key: input.key });
    return (
      entry && { key: entry.key, value: entry.value, version: entry.version, updatedBy: entry.updatedBy }
    );
  },
});
