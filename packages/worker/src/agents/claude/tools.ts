import { isAbsolute, relative } from 'node:path';
import type { Risk } from '@nexa/core';
import type { ApprovalRequest } from '../agent.js';

type Json = Record<string, unknown>;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;
const clip = (value: string, limit: number) =>
  value.length <= limit ? value : `${value.slice(0, limit - 1)}…`;
const oneLine = (value: string) => value.replace(/\s*\n\s*/g, ' ');

/** How much one of Claude Code's tools can do; a tool we do not know is assumed to run things. */
export function riskOf(tool: string): Risk {
  switch (tool) {
    case 'Read':
    case 'Glob':
    case 'Grep':
    case 'LS':
      return 'read';
    case 'Write':
    case 'Edit':
    case 'MultiEdit':
    case 'NotebookEdit':
      return 'write';
    case 'WebFetch':
    case 'WebSearch':
      return 'network';
    default:
      return 'execute';
  }
}

/** The files a tool call names, as Claude Code gave them. */
function pathsOf(input: Json): string[] {
  return ['file_path', 'notebook_path', 'path']
    .map((field) => text(input[field]))
    .filter((path) => path !== undefined);
}

/** One readable line for a tool call: "run `ls`", "edit src/a.ts"; paths relative to the working copy. */
export function describeToolUse(tool: string, input: Json, workdir: string): string {
  const shown = (path: string) => {
    const inside = relative(workdir, path);
    return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
  };
  const path = pathsOf(input)[0];
  const command = text(input.command);
  let line: string;
  if (tool === 'Bash' && command) line = `run \`${command}\``;
  else if ((tool === 'Edit' || tool === 'MultiEdit' || tool === 'NotebookEdit') && path)
    line = `edit ${shown(path)}`;
  else if (tool === 'Write' && path) line = `write ${shown(path)}`;
  else if (tool === 'Read' && path) line = `read ${shown(path)}`;
  else if ((tool === 'Glob' || tool === 'Grep') && text(input.pattern))
    line = `search for \`${input.pattern}\`${path ? ` in ${shown(path)}` : ''}`;
  else if (tool === 'WebFetch' && text(input.url)) line = `fetch ${input.url}`;
  else if (tool === 'WebSearch' && text(input.query)) line = `search the web for "${input.query}"`;
  else line = tool;
  return clip(oneLine(line), 2000);
}

/** A unified-diff-like text for an Edit (the exact lines around it are not known, only the strings). */
function editDiff(tool: string, input: Json): string | undefined {
  const path = text(input.file_path);
  if (!path) return undefined;
  const edits = tool === 'MultiEdit' && Array.isArray(input.edits) ? (input.edits as Json[]) : [input];
  const hunks = edits
    .filter((edit) => typeof edit.old_string === 'string' && typeof edit.new_string === 'string')
    .map((edit) => {
      const lines = (value: string) => (value === '' ? [] : value.replace(/\n$/, '').split('\n'));
      const before = lines(edit.old_string as string);
      const after = lines(edit.new_string as string);
      return [
        `@@ -${before.length} +${after.length} @@`,
        ...before.map((l) => `-${l}`),
        ...after.map((l) => `+${l}`),
      ];
    });
  if (hunks.length === 0) return undefined;
  return [`--- a/${path}`, `+++ b/${path}`, ...hunks.flat()].join('\n');
}

/** What a `can_use_tool` control request asks, as the approvals queue shows it. */
export function approvalRequestFor(key: string, tool: string, input: Json, workdir: string): ApprovalRequest {
  const command = tool === 'Bash' ? text(input.command) : undefined;
  const paths = pathsOf(input);
  const diff = tool === 'Edit' || tool === 'MultiEdit' ? editDiff(tool, input) : undefined;
  return {
    key,
    tool: clip(tool, 200),
    action: describeToolUse(tool, input, workdir),
    ...(command ? { command: clip(command, 20_000) } : {}),
    ...(paths.length ? { paths: paths.slice(0, 100).map((path) => clip(path, 4096)) } : {}),
    ...(diff ? { diff: clip(diff, 200_000) } : {}),
    risk: riskOf(tool),
  };
}
