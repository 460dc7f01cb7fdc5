import { defineTool, reads } from '../tool.js';

export const whoIsOnline = defineTool({
  name: 'who_is_online',
  title: 'Who is online',
  description:
    'List who is on Nexa now: people (and what they use), workers, and the agents running in this project, each with online and last seen. Example: {}',
  inputSchema: {},
  annotations: reads,
  async run(_input, { client, identity }) {
    const { project } = await identity();
    return client.presence.who.query({ project });
  },
});
