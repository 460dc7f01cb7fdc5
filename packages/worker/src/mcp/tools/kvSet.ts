import { z } from 'zod';
import { defineTool, writes } from '../tool.js';

export const kvSet = defineTool({
  name: 'kv_set',
  title: 'Set a shared key',
  description:
    'Set a key of this project\'s shared store to a JSON value; with if_version it is compare-and-set (0: only if the key does not exist) and fails, naming the current version, when another writer got there first. Example: {"key": "counter", "value": 3, "if_version": 2}',
  inputSchema: {
    key: z.string().describe('The key, e.g. "build/status".'),
    value: z.unknown().describe('Any JSON value: a string, number, boolean, null, array or object.'),
    if_version: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Only if the key is at this version now (0: only if it does not exist).'),
  },
  annotations: writes,
  async run(input, { client, identity }) {
    const { project } = await identity();
    const entry = await client.kv.set.mutate({
      project,
      key: input.key,
      value: input.value ?? null,
      ...(input.if_version === undefined ? {} : { ifVersion: input.if_version }),
    });
    return { key: entry.key, version: entry.version };
  },
});
