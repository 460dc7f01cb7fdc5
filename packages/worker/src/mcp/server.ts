import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_PROJECT, limits, NEXA_VERSION, NexaError } from '@nexa/core';
import { createNexaClient, toNexaError } from '@nexa/core/client';
import type { AppRouter } from '@nexa/server';
import type { CoordinatorClient } from '../connection.js';
import { identityOf } from './identity.js';
import type { McpIdentity, NexaTool } from './tool.js';
import { nexaTools } from './tools/index.js';

export interface NexaMcpOptions {
  client: CoordinatorClient;
  /** The coordinator's URL, named in errors. */
  server: string;
  /** Where a token that is not a task's works (a task token works in its own project). */
  project?: string;
  /** The longest a blocking tool waits; limits.conversation.waitMs unless a test wants less. */
  waitLimitMs?: number;
  /** Who the token is; asked of the coordinator (auth.whoami) unless given. */
  identity?: () => Promise<McpIdentity>;
}

/** What a tool's value looks like to a model: text as is, anything else as indented JSON. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value ?? null, null, 2);
}

/** A failure as a model reads it: the coordinator's one line (what, then what to do). */
function failure(error: unknown, server: string): CallToolResult {
  const translated = toNexaError(error, server);
  const line =
    translated instanceof NexaError
      ? translated.toLine()
      : `nexa mcp failed: ${translated instanceof Error ? translated.message : String(translated)}`;
  return { isError: true, content: [{ type: 'text', text: line }] };
}

/** The `nexa mcp` server with every tool registered, not yet connected to a transport. */
export function createNexaMcpServer(options: NexaMcpOptions): McpServer {
  const mcp = new McpServer(
    { name: 'nexa', title: 'Nexa', version: NEXA_VERSION },
    {
      instructions:
        "Nexa's conversation space: post and read messages in threads (your own task's thread by default), share JSON values in a versioned key-value store, start and wait for sub-tasks, and ask a person a question.",
    },
  );
  const identity = options.identity ?? identityOf(options.client, options.project ?? DEFAULT_PROJECT);
  const waitLimitMs = options.waitLimitMs ?? limits.conversation.waitMs;
  for (const tool of nexaTools) register(mcp, tool, options, identity, waitLimitMs);
  return mcp;
}

function register(
  mcp: McpServer,
  tool: NexaTool,
  options: NexaMcpOptions,
  identity: () => Promise<McpIdentity>,
  waitLimitMs: number,
): void {
  mcp.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.inputSchema,
      annotations: { title: tool.title, ...tool.annotations },
    },
    async (input, extra): Promise<CallToolResult> => {
      try {
        const value = await tool.run(input as never, {
          client: options.client,
          identity,
          waitLimitMs,
          signal: extra.signal,
        });
        return { content: [{ type: 'text', text: asText(value) }] };
      } catch (error) {
        return failure(error, options.server);
      }
    },
  );
}

export interface RunNexaMcpOptions {
  server: string;
  token: string | undefined;
  /** PEM of a private CA an https coordinator's certificate is checked against (not needed over the relay's socket). */
  ca?: string | undefined;
  project?: string;
  /** Where the MCP client is; default: this process's stdin and stdout. */
  transport?: Transport;
}

/**
 * Serves the tools on `transport` (stdio for `nexa mcp`) over one WebSocket
 * to the coordinator, until the transport closes (the agent went away).
 */
export async function runNexaMcp(options: RunNexaMcpOptions): Promise<void> {
  const connection = createNexaClient<AppRouter>({
    server: options.server,
    token: options.token,
    ca: options.ca,
    transport: 'websocket',
    client: 'mcp',
  });
  const mcp = createNexaMcpServer({
    client: connection.client,
    server: options.server,
    ...(options.project ? { project: options.project } : {}),
  });
  const closed = new Promise<void>((resolve) => {
    mcp.server.onclose = () => resolve();
  });
  // The SDK's stdio transport does not notice stdin ending: an agent that exits without a word must end us too.
  if (!options.transport) process.stdin.once('end', () => void mcp.close());
  try {
    await mcp.connect(options.transport ?? new StdioServerTransport());
    await closed;
  } finally {
    await connection.close();
  }
}
