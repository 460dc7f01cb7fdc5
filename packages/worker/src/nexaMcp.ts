/** The MCP server name agents know nexa's tools by: Claude Code calls them `mcp__nexa__<tool>`. */
export const NEXA_MCP_NAME = 'nexa';

/**
 * `nexa mcp` as an agent starts it, in the agent's own view of the files
 * (a walled sandbox sees host installations under /opt/nexa). The token is
 * in `env`, never in `args`: every adapter hands env over as env.
 */
export interface NexaMcpServer {
  name: typeof NEXA_MCP_NAME;
  command: string;
  args: string[];
  env: Record<string, string>;
}
