import type { ApprovalDecision } from '@nexa/core';
import type { ApprovalRequest } from '../agent.js';
import { changedPaths, type FileUpdateChange, shownCommand, type ThreadItem } from './items.js';

/** The app-server requests that ask before a command runs or a patch is applied. */
export const COMMAND_APPROVAL = 'item/commandExecution/requestApproval';
export const FILE_CHANGE_APPROVAL = 'item/fileChange/requestApproval';

/** The decisions both requests take (CommandExecutionApprovalDecision also has amendment forms Nexa does not use). */
export type CodexDecision = 'accept' | 'acceptForSession' | 'decline' | 'cancel';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;
const clip = (value: string, limit: number) =>
  value.length <= limit ? value : `${value.slice(0, limit - 1)}…`;

/**
 * What Codex is told for the gate's answer. A denial declines that one call
 * and the turn goes on; only a cancelled request (the run is stopping) ends
 * the turn. Codex 0.169 lists `availableDecisions` that leave out decline and
 * acceptForSession, yet honours both, so the list is not consulted.
 */
export function codexDecision(decision: ApprovalDecision): CodexDecision {
  switch (decision.outcome) {
    case 'allow':
      return decision.always ? 'acceptForSession' : 'accept';
    case 'deny':
      return 'decline';
    default:
      return 'cancel';
  }
}

/** One file's change as a unified diff: Codex gives whole contents for added and deleted files. */
function unifiedDiff(path: string, change: FileUpdateChange): string | undefined {
  const body = change.diff ?? '';
  const lines = (prefix: string) =>
    body === ''
      ? []
      : body
          .replace(/\n$/, '')
          .split('\n')
          .map((line) => `${prefix}${line}`);
  switch (change.kind?.type) {
    case 'add': {
      const added = lines('+');
      return [`--- /dev/null`, `+++ b/${path}`, `@@ -0,0 +1,${added.length} @@`, ...added].join('\n');
    }
    case 'delete': {
      const removed = lines('-');
      return [`--- a/${path}`, `+++ /dev/null`, `@@ -1,${removed.length} +0,0 @@`, ...removed].join('\n');
    }
    default:
      return body === '' ? undefined : [`--- a/${path}`, `+++ b/${path}`, body.replace(/\n$/, '')].join('\n');
  }
}

function commandRequest(key: string, params: Json, item: ThreadItem | undefined): ApprovalRequest {
  const command = shownCommand(text(params.command) ?? item?.command ?? '');
  const network = isObject(params.networkApprovalContext) ? params.networkApprovalContext : undefined;
  const host = text(network?.host);
  if (host !== undefined) {
    return {
      key,
      tool: 'shell',
      action: clip(`let \`${command}\` reach ${host}`, 2000),
      command: clip(command, 20_000),
      risk: 'network',
    };
  }
  const verb = params.kind === 'writeStdin' ? 'type into' : 'run';
  return {
    key,
    tool: 'shell',
    action: clip(`${verb} \`${command}\``, 2000),
    command: clip(command, 20_000),
    risk: 'execute',
  };
}

function fileChangeRequest(
  key: string,
  params: Json,
  item: ThreadItem | undefined,
  workdir: string,
): ApprovalRequest {
  const changes = item?.changes ?? [];
  const paths = changedPaths(workdir, changes).slice(0, 100);
  const grantRoot = text(params.grantRoot);
  const action = grantRoot
    ? `write under ${grantRoot}`
    : paths.length > 0
      ? `edit ${paths.join(', ')}`
      : 'edit files';
  const diffs = changes
    .map((change, index) => unifiedDiff(paths[index] ?? change.path ?? '', change))
    .filter((diff): diff is string => diff !== undefined);
  return {
    key,
    tool: 'apply_patch',
    action: clip(action, 2000),
    ...(paths.length > 0 ? { paths } : {}),
    ...(diffs.length > 0 ? { diff: clip(diffs.join('\n'), 200_000) } : {}),
    risk: 'write',
  };
}

/**
 * What an approval request from Codex asks, as the approvals queue shows it;
 * `item` is what item/started said about the same call (a file change request
 * names only the item). Undefined for a request that is not an approval.
 */
export function approvalRequestFor(
  method: string,
  key: string,
  params: unknown,
  item: ThreadItem | undefined,
  workdir: string,
): ApprovalRequest | undefined {
  const fields = isObject(params) ? params : {};
  if (method === COMMAND_APPROVAL) return commandRequest(key, fields, item);
  if (method === FILE_CHANGE_APPROVAL) return fileChangeRequest(key, fields, item, workdir);
  return undefined;
}
