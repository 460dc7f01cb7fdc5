import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { limits } from '@nexa/core';
import { z } from 'zod';
import type { CoordinatorClient } from '../connection.js';

/** Who the MCP server acts for: the task its token was minted for (none for a person's token), and its project. */
export interface McpIdentity {
  /** The calling task's id, which is also its own thread's id; null when the token is not a task's. */
  taskId: string | null;
  project: string;
}

/** What every tool gets: the coordinator, who is calling, and how long a wait may last. */
export interface ToolContext {
  client: CoordinatorClient;
  identity(): Promise<McpIdentity>;
  /** The longest a blocking tool waits (limits.conversation.waitMs). */
  waitLimitMs: number;
  /** Cancelled when the model's client cancels the call or the server closes. */
  signal: AbortSignal;
}

/**
 * One tool of `nexa mcp`, described for a model: its description is one or two
 * exact sentences and an example call. `run` returns what the model reads
 * (text as is, anything else as JSON); a throw becomes `{isError: true}` with
 * the coordinator's one-line message.
 */
export interface NexaTool<Shape extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  inputSchema: Shape;
  annotations: ToolAnnotations;
  run(input: z.output<z.ZodObject<Shape>>, context: ToolContext): Promise<unknown>;
}

/** Keeps one tool's input typed where it is written; the table of tools holds them all alike. */
export function defineTool<Shape extends z.ZodRawShape>(tool: NexaTool<Shape>): NexaTool {
  return tool as unknown as NexaTool;
}

/** Reads that change nothing: a client may call them without asking. */
export const reads: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

/** Writes that add or change shared state, never remove it. */
export const writes: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
};

/**
 * A listing tool's `limit`: optional, never more than the coordinator serves in
 * one page. The tool applies `fallback` itself, so the schema a model reads
 * stays a plain optional number.
 */
export const rowLimit = (fallback: number, rows = '') =>
  z
    .number()
    .int()
    .min(1)
    .max(limits.listing.rows)
    .optional()
    .describe(`At most this many${rows ? ` ${rows}` : ''} (default ${fallback}).`);
