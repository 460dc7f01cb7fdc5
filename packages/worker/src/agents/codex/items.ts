import { relative } from 'node:path';
import type { TaskEventBody } from '@nexa/core';

/**
 * The thread items of Codex's app-server protocol that Nexa maps (a subset of
 * `ThreadItem` from `codex app-server generate-ts`), and how they become
 * tool_call, tool_result and agent_message events.
 */

export interface FileUpdateChange {
  path?: string;
  kind?: { type?: string };
  diff?: string;
}

export interface ThreadItem {
  id?: string;
  type?: string;
  text?: string;
  summary?: string[];
  content?: string[];
  command?: string;
  aggregatedOutput?: string | null;
  exitCode?: number | null;
  /** inProgress, completed, failed or declined. */
  status?: string;
  changes?: FileUpdateChange[];
  server?: string;
  tool?: string;
  arguments?: unknown;
  result?: unknown;
  error?: { message?: string } | null;
  query?: string;
}

const maxToolOutput = 64 * 1024;

function cut(text: string): string {
  return text.length <= maxToolOutput ? text : `${text.slice(0, maxToolOutput)}\n[cut at 64 KiB]`;
}

/** The command a person typed, out of Codex's `/bin/bash -lc '...'` wrapper when it has one. */
export function shownCommand(command: string): string {
  const wrapped = /^(?:\S*\/)?(?:ba|z|da)?sh -l?c (.+)$/s.exec(command)?.[1];
  if (wrapped === undefined) return command;
  const single = /^'([^']*)'$/s.exec(wrapped)?.[1];
  if (single !== undefined) return single;
  const double = /^"((?:[^"\\]|\\.)*)"$/s.exec(wrapped)?.[1];
  return double === undefined ? command : double.replace(/\\(["\\$`])/g, '$1');
}

/** The paths a file change touches, relative to the working copy as the agent sees it. */
export function changedPaths(workdir: string, changes: FileUpdateChange[]): string[] {
  return changes.map((change) => relative(workdir, change.path ?? '') || '.');
}

/** Turns item/started and item/completed into Nexa events, each tool call once; remembers items for approvals. */
export class ThreadItems {
  private readonly started = new Map<string, ThreadItem>();

  constructor(
    private readonly workdir: string,
    private readonly emit: (event: TaskEventBody) => boolean,
  ) {}

  /** What item/started said about an item, for an approval request that names only its id. */
  get(itemId: string): ThreadItem | undefined {
    return this.started.get(itemId);
  }

  itemStarted(item: ThreadItem): boolean {
    return this.toolCall(item);
  }

  itemCompleted(item: ThreadItem): boolean {
    switch (item.type) {
      case 'agentMessage':
        return this.emit({ kind: 'agent_message', role: 'assistant', text: item.text ?? '' });
      case 'reasoning': {
        const text = (item.summary?.length ? item.summary : (item.content ?? [])).join('\n\n');
        return text === '' ? true : this.emit({ kind: 'agent_message', role: 'thought', text });
      }
      case 'commandExecution': {
        this.toolCall(item);
        const ok = item.status === 'completed' && item.exitCode === 0;
        const output = item.status === 'declined' ? 'declined' : (item.aggregatedOutput ?? '');
        return this.toolResult(item, ok, output);
      }
      case 'fileChange': {
        this.toolCall(item);
        const changes = (item.changes ?? []).map(
          (change) => `${change.kind?.type ?? 'update'} ${change.path ?? ''}`,
        );
        if (item.status === 'declined') changes.push('declined');
        return this.toolResult(item, item.status === 'completed', changes.join('\n'));
      }
      case 'mcpToolCall': {
        this.toolCall(item);
        const output = item.error?.message ?? (item.result == null ? '' : JSON.stringify(item.result));
        return this.toolResult(item, item.status === 'completed' && !item.error, output);
      }
      case 'webSearch':
        this.toolCall(item);
        return this.toolResult(item, true, '');
      default:
        // userMessage, plan, contextCompaction and kinds newer than this adapter carry nothing Nexa shows.
        return true;
    }
  }

  private callId(item: ThreadItem): string {
    return item.id ?? 'codex-item';
  }

  private toolCall(item: ThreadItem): boolean {
    const callId = this.callId(item);
    if (this.started.has(callId)) return true;
    this.started.set(callId, item);
    switch (item.type) {
      case 'commandExecution': {
        const command = item.command ?? '';
        return this.emit({
          kind: 'tool_call',
          callId,
          tool: 'shell',
          title: `run \`${shownCommand(command)}\``,
          input: { command },
        });
      }
      case 'fileChange': {
        const changes = item.changes ?? [];
        return this.emit({
          kind: 'tool_call',
          callId,
          tool: 'apply_patch',
          title: `edit ${changedPaths(this.workdir, changes).join(', ')}`,
          input: { changes },
        });
      }
      case 'mcpToolCall':
        return this.emit({
          kind: 'tool_call',
          callId,
          tool: `${item.server ?? 'mcp'}.${item.tool ?? 'tool'}`,
          title: `call ${item.server ?? 'mcp'} ${item.tool ?? ''}`.trim(),
          input: item.arguments,
        });
      case 'webSearch':
        return this.emit({
          kind: 'tool_call',
          callId,
          tool: 'web_search',
          title: `search the web for "${item.query ?? ''}"`,
        });
      default:
        return true;
    }
  }

  private toolResult(item: ThreadItem, ok: boolean, output: string): boolean {
    return this.emit({ kind: 'tool_result', callId: this.callId(item), ok, output: cut(output) });
  }
}
