import type { TaskEventBody } from '@nexa/core';
import type { ExitInfo } from '../../sandbox/index.js';
import { describeToolUse } from './tools.js';

type Json = Record<string, unknown>;

/** What a tool gave back, cut at this many characters (the tool_result limit). */
const TOOL_OUTPUT_LIMIT = 64 * 1024;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const count = (value: unknown): number => (typeof value === 'number' && value >= 0 ? Math.round(value) : 0);

function cut(value: string): string {
  return value.length <= TOOL_OUTPUT_LIMIT ? value : `${value.slice(0, TOOL_OUTPUT_LIMIT)}\n[cut at 64 KiB]`;
}

/** A tool_result's content: a string, or blocks of which the text ones count. */
function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(isObject)
    .map((block) => (block.type === 'text' ? (text(block.text) ?? '') : `[${text(block.type) ?? 'content'}]`))
    .join('\n');
}

/**
 * Turns Claude Code's stream-json messages (`assistant`, `user`, `result`)
 * into task events, remembering the model and the run's outcome.
 */
export class StreamMessages {
  private model: string | null = null;
  /** How the run ended, once Claude Code sent its `result`. */
  outcome: ExitInfo | undefined;

  constructor(private readonly workdir: string) {}

  eventsFor(message: Json): TaskEventBody[] {
    const inner = isObject(message.message) ? message.message : undefined;
    if (message.type === 'assistant' && inner) return this.assistant(inner);
    if (message.type === 'user' && inner) return this.toolResults(inner);
    if (message.type === 'result') return this.result(message);
    return [];
  }

  private assistant(inner: Json): TaskEventBody[] {
    if (text(inner.model)) this.model = inner.model as string;
    if (!Array.isArray(inner.content)) return [];
    const events: TaskEventBody[] = [];
    for (const block of inner.content.filter(isObject)) {
      if (block.type === 'text' && text(block.text)?.trim()) {
        events.push({ kind: 'agent_message', text: block.text as string, role: 'assistant' });
      } else if (block.type === 'thinking' && text(block.thinking)?.trim()) {
        events.push({ kind: 'agent_message', text: block.thinking as string, role: 'thought' });
      } else if (block.type === 'tool_use' && text(block.id) && text(block.name)) {
        const input = isObject(block.input) ? block.input : {};
        const tool = block.name as string;
        events.push({
          kind: 'tool_call',
          callId: block.id as string,
          tool,
          title: describeToolUse(tool, input, this.workdir),
          input,
        });
      }
    }
    return events;
  }

  private toolResults(inner: Json): TaskEventBody[] {
    if (!Array.isArray(inner.content)) return [];
    return inner.content
      .filter(
        (block): block is Json =>
          isObject(block) && block.type === 'tool_result' && !!text(block.tool_use_id),
      )
      .map((block) => ({
        kind: 'tool_result' as const,
        callId: block.tool_use_id as string,
        ok: block.is_error !== true,
        output: cut(resultText(block.content)),
      }));
  }

  private result(message: Json): TaskEventBody[] {
    const succeeded = message.subtype === 'success' && message.is_error !== true;
    const errors = Array.isArray(message.errors) ? message.errors.filter((e) => typeof e === 'string') : [];
    const reason =
      (message.subtype === 'success' ? text(message.result) : errors.join('; ')) ||
      `claude ended with ${text(message.subtype) ?? 'an error'}`;
    this.outcome = succeeded ? { exitCode: 0 } : { exitCode: 1, reason };
    const usage = isObject(message.usage) ? message.usage : {};
    const modelUsage = isObject(message.modelUsage) ? Object.keys(message.modelUsage) : [];
    const cost = message.total_cost_usd;
    return [
      {
        kind: 'usage',
        model: this.model ?? modelUsage[0] ?? null,
        inputTokens: count(usage.input_tokens),
        outputTokens: count(usage.output_tokens),
        cacheReadTokens: count(usage.cache_read_input_tokens),
        cacheWriteTokens: count(usage.cache_creation_input_tokens),
        costUsd: typeof cost === 'number' && cost >= 0 ? cost : null,
      },
    ];
  }
}
