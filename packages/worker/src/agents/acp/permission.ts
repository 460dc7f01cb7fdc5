import type { ApprovalDecision, Risk } from '@nexa/core';
import type { ApprovalRequest } from '../agent.js';
import { toolNameIn, toolOf } from './sessionUpdates.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/** How much an ACP tool kind can do. */
export function riskOf(kind: string | undefined): Risk {
  switch (kind) {
    case 'read':
    case 'search':
    case 'think':
      return 'read';
    case 'edit':
    case 'delete':
    case 'move':
      return 'write';
    case 'fetch':
      return 'network';
    default:
      return 'execute'; // execute, other, or a kind we do not know: assume the most a tool can do locally
  }
}

/** A whole-file unified diff from ACP's old and new text (ACP gives the texts, not a patch). */
export function unifiedDiff(path: string, oldText: string | null | undefined, newText: string): string {
  const lines = (value: string) => (value === '' ? [] : value.replace(/\n$/, '').split('\n'));
  const before = oldText == null ? [] : lines(oldText);
  const after = lines(newText);
  return [
    `--- ${oldText == null ? '/dev/null' : path}`,
    `+++ ${path}`,
    `@@ -${before.length ? 1 : 0},${before.length} +${after.length ? 1 : 0},${after.length} @@`,
    ...before.map((line) => `-${line}`),
    ...after.map((line) => `+${line}`),
  ].join('\n');
}

const clip = (value: string, limit: number) =>
  value.length <= limit ? value : `${value.slice(0, limit - 1)}…`;

/**
 * What a `session/request_permission` asks, as the approvals queue shows it.
 * `known` is what earlier `tool_call` updates said about the same call, since
 * the request's toolCall may carry only the fields that changed.
 */
export function approvalRequestFor(
  key: string,
  params: unknown,
  known?: { kind?: string; title?: string; name?: string; rawInput?: unknown },
): ApprovalRequest {
  const toolCall = isObject(params) && isObject(params.toolCall) ? params.toolCall : {};
  const kind = text(toolCall.kind) ?? known?.kind;
  const name = toolNameIn(toolCall._meta) ?? known?.name;
  const rawInput = isObject(toolCall.rawInput)
    ? toolCall.rawInput
    : isObject(known?.rawInput)
      ? known.rawInput
      : {};
  const title = text(toolCall.title) ?? known?.title;
  const command = text(rawInput.command) ?? text(rawInput.cmd);

  const paths = new Set<string>();
  if (Array.isArray(toolCall.locations)) {
    for (const location of toolCall.locations)
      if (isObject(location) && text(location.path)) paths.add(location.path as string);
  }
  for (const field of ['file_path', 'path', 'notebook_path']) {
    const path = text(rawInput[field]);
    if (path) paths.add(path);
  }

  const diffs: string[] = [];
  if (Array.isArray(toolCall.content)) {
    for (const item of toolCall.content) {
      if (isObject(item) && item.type === 'diff' && text(item.path) && typeof item.newText === 'string') {
        paths.add(item.path as string);
        diffs.push(unifiedDiff(item.path as string, item.oldText as string | null | undefined, item.newText));
      }
    }
  }

  const tool = toolOf({ kind, name }) ?? title ?? 'tool';
  let action = title ?? tool;
  if (kind === 'execute' && command) {
    action = title && title !== command ? `${title}: run \`${command}\`` : `run \`${command}\``;
  }
  const diff = diffs.join('\n');
  return {
    key,
    tool: clip(tool, 200),
    action: clip(action.replace(/\s*\n\s*/g, ' '), 2000),
    ...(command ? { command: clip(command, 20_000) } : {}),
    ...(paths.size ? { paths: [...paths].slice(0, 100).map((path) => clip(path, 4096)) } : {}),
    ...(diff ? { diff: clip(diff, 200_000) } : {}),
    risk: riskOf(kind),
  };
}

/**
 * The answer to a `session/request_permission`, chosen by option kind (ids
 * are the agent's own): allow once, or always when asked and offered; deny
 * once; or cancelled. Without a matching option the request is cancelled,
 * which an agent must treat as not allowed.
 */
export function permissionOutcome(
  decision: Pick<ApprovalDecision, 'outcome' | 'always'>,
  params: unknown,
): { outcome: { outcome: 'cancelled' } | { outcome: 'selected'; optionId: string } } {
  const options = isObject(params) && Array.isArray(params.options) ? params.options.filter(isObject) : [];
  const optionOf = (kind: string) => options.find((option) => option.kind === kind && text(option.optionId));
  let chosen: Json | undefined;
  if (decision.outcome === 'allow') {
    // never "always" unless the person said so: it would let later calls through unasked
    chosen = (decision.always ? optionOf('allow_always') : undefined) ?? optionOf('allow_once');
  } else if (decision.outcome === 'deny') {
    chosen = optionOf('reject_once') ?? optionOf('reject_always');
  }
  return chosen
    ? { outcome: { outcome: 'selected', optionId: chosen.optionId as string } }
    : { outcome: { outcome: 'cancelled' } };
}
