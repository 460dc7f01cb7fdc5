import type { TaskEventBody } from '@nexa/core';

/** What a tool gave back, cut at this many characters (the tool_result limit). */
export const TOOL_OUTPUT_LIMIT = 64 * 1024;
/** A message longer than this goes out in parts rather than waiting for the turn to move on. */
const MESSAGE_FLUSH_CHARS = 16 * 1024;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Input worth showing: not absent, and not the empty object a streaming agent starts with. */
const hasInput = (value: unknown) =>
  value !== undefined && value !== null && !(isObject(value) && Object.keys(value).length === 0);

export function cut(value: string, limit = TOOL_OUTPUT_LIMIT): string {
  return value.length <= limit ? value : `${value.slice(0, limit)}\n[cut at ${limit / 1024} KiB]`;
}

/** The text of an ACP ContentBlock: text itself, a resource's text, else a note of what it was. */
function blockText(block: unknown): string {
  if (!isObject(block)) return '';
  if (block.type === 'text') return text(block.text) ?? '';
  if (block.type === 'resource' && isObject(block.resource)) return text(block.resource.text) ?? '';
  if (block.type === 'resource_link') return `[${text(block.name) ?? text(block.uri) ?? 'resource'}]`;
  return `[${text(block.type) ?? 'content'}]`;
}

/** The readable text of a tool call's content list (ToolCallContent[]). */
export function toolContentText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const item of content) {
    if (!isObject(item)) continue;
    if (item.type === 'content') parts.push(blockText(item.content));
    else if (item.type === 'diff') parts.push(`[changed ${text(item.path) ?? 'a file'}]`);
  }
  return parts.filter(Boolean).join('\n');
}

/** A tool name an adapter put in a call's `_meta` (under its own key, as ACP's extensibility asks). */
export function toolNameIn(meta: unknown): string | undefined {
  if (!isObject(meta)) return undefined;
  for (const vendor of Object.values(meta)) {
    if (isObject(vendor) && text(vendor.toolName)) return text(vendor.toolName);
  }
  return undefined;
}

/**
 * What a call is listed as: its ACP kind (execute, edit, read...), which
 * policies match on; for a tool ACP has no kind for (`other`: MCP tools
 * such as nexa's own mcp__nexa__post_message), the agent's name for it.
 */
export function toolOf(call: { kind?: string | undefined; name?: string | undefined }): string | undefined {
  return (call.kind === undefined || call.kind === 'other') && call.name ? call.name : call.kind;
}

interface ToolCallState {
  kind?: string;
  title?: string;
  /** The agent's own name for the tool, where its adapter says it (claude-agent-acp: `_meta.claudeCode.toolName`). */
  name?: string;
  rawInput?: unknown;
  announced: boolean;
  finished: boolean;
}

/** Cumulative token counts the agent reported (ACP's experimental `Usage`). */
export interface AgentUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export function usageFrom(value: unknown): AgentUsage | undefined {
  if (!isObject(value)) return undefined;
  const count = (key: string) => {
    const n = value[key];
    return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.round(n) : 0;
  };
  if (typeof value.inputTokens !== 'number' || typeof value.outputTokens !== 'number') return undefined;
  return {
    inputTokens: count('inputTokens'),
    outputTokens: count('outputTokens'),
    cacheReadTokens: count('cachedReadTokens'),
    cacheWriteTokens: count('cachedWriteTokens'),
  };
}

/**
 * Turns `session/update` notifications into Nexa events. Consecutive message
 * chunks of the same kind are joined into one agent_message; any other update
 * (or `flush`) ends the message.
 */
export class SessionUpdates {
  private message: { role: 'assistant' | 'thought'; text: string; messageId?: string } | undefined;
  private readonly toolCalls = new Map<string, ToolCallState>();
  /** The session's cost in USD so far, when the agent reports one. */
  costUsd: number | null = null;

  constructor(private readonly emit: (event: TaskEventBody) => void) {}

  handle(update: unknown): void {
    if (!isObject(update)) return;
    switch (update.sessionUpdate) {
      case 'agent_message_chunk':
        this.chunk('assistant', update);
        break;
      case 'agent_thought_chunk':
        this.chunk('thought', update);
        break;
      case 'tool_call':
      case 'tool_call_update':
        this.flush();
        this.toolCall(update, false);
        break;
      case 'usage_update':
        if (
          isObject(update.cost) &&
          update.cost.currency === 'USD' &&
          typeof update.cost.amount === 'number'
        ) {
          this.costUsd = update.cost.amount;
        }
        return;
      default:
        // plans, modes, commands, the user's own message: nothing a task log needs
        this.flush();
    }
  }

  /** Sends the message being joined, if any. */
  flush(): void {
    if (this.message?.text)
      this.emit({ kind: 'agent_message', role: this.message.role, text: this.message.text });
    this.message = undefined;
  }

  /** What a tool call is known as so far (from `tool_call` and its updates). */
  toolCallInfo(toolCallId: string): Readonly<ToolCallState> | undefined {
    return this.toolCalls.get(toolCallId);
  }

  private chunk(role: 'assistant' | 'thought', update: Json): void {
    const piece = blockText(update.content);
    const messageId = text(update.messageId);
    if (this.message && (this.message.role !== role || this.message.messageId !== messageId)) this.flush();
    this.message ??= { role, text: '', ...(messageId ? { messageId } : {}) };
    this.message.text += piece;
    if (this.message.text.length >= MESSAGE_FLUSH_CHARS) this.flush();
  }

  /** A permission request for a call: what it says counts as an update, and the call is announced. */
  permissionAsked(toolCall: unknown): void {
    this.flush();
    if (isObject(toolCall)) this.toolCall(toolCall, true);
  }

  /**
   * Agents that stream a call announce it before its input is known (Claude
   * Code: title "Terminal", input {}); the tool_call event waits for the
   * input, a permission request, a start or a result, whichever comes first.
   */
  private toolCall(update: Json, ready: boolean): void {
    const callId = text(update.toolCallId);
    if (!callId) return;
    const state = this.toolCalls.get(callId) ?? { announced: false, finished: false };
    this.toolCalls.set(callId, state);
    if (text(update.kind)) state.kind = text(update.kind);
    if (text(update.title)) state.title = text(update.title);
    const name = toolNameIn(update._meta);
    if (name) state.name = name;
    if (hasInput(update.rawInput)) state.rawInput = update.rawInput;
    const status = update.status;
    const finished = status === 'completed' || status === 'failed';
    if (!state.announced && (ready || finished || status === 'in_progress' || state.rawInput !== undefined)) {
      state.announced = true;
      const title = state.title ?? state.kind ?? 'tool';
      this.emit({
        kind: 'tool_call',
        callId,
        tool: toolOf(state) ?? title,
        title,
        ...(state.rawInput !== undefined ? { input: state.rawInput } : {}),
      });
    }
    if (finished && !state.finished) {
      state.finished = true;
      // The tool's own output when the agent gives it as text; else what the agent shows of it.
      const raw = update.rawOutput;
      let output = typeof raw === 'string' ? raw : toolContentText(update.content);
      if (!output && raw !== undefined && raw !== null) output = JSON.stringify(raw);
      this.emit({ kind: 'tool_result', callId, ok: status === 'completed', output: cut(output) });
    }
  }
}
