import { formatLabels, type Task } from '@nexa/core';

/** "3s ago", "5m ago", "2h ago", "4d ago". */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return '-';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** A command line as a person would type it, shortened to fit a table cell. */
export function commandLine(argv: readonly string[], max = 60): string {
  const text = argv
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`))
    .join(' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function labelsText(labels: Record<string, string>): string {
  return formatLabels(labels) || '-';
}

export function taskSummary(task: Task): [string, string][] {
  return [
    ['ID', task.id],
    ['Status', task.reason ? `${task.status} (${task.reason})` : task.status],
    ['Exit code', task.exitCode === null ? '-' : String(task.exitCode)],
    ['Command', commandLine(task.command, 500)],
    ['Agent', task.agent],
    ['Worker', task.workerId ?? '-'],
    ['Attempt', `${task.attempt} of ${task.maxAttempts}`],
    ['Labels', labelsText(task.labels)],
    ['Priority', String(task.priority)],
    ['Created', `${task.createdAt} (${ago(task.createdAt)})`],
    ['Started', task.startedAt ?? '-'],
    ['Finished', task.finishedAt ?? '-'],
  ];
}
