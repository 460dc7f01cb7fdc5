import { agentKind, formatDuration, formatLabels, type Task, type TaskDetail, visible } from '@nexa/core';
import { reasonText } from '../lib/reasons.js';

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

/** What a task runs, for a person: its command line, or the agent and its prompt. */
export function whatRuns(task: Pick<Task, 'agent' | 'command' | 'prompt'>, max = 60): string {
  const kind = agentKind(task.agent);
  if (kind.input === 'command') return commandLine(task.command, max);
  const prompt = (task.prompt ?? '').replace(/\s+/g, ' ').trim();
  const program = kind.needsCommand ? ` (${commandLine(task.command, 30)})` : '';
  const text = `${task.agent}${program}: ${prompt}`;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function labelsText(labels: Record<string, string>): string {
  return formatLabels(labels) || '-';
}

export function taskSummary(task: TaskDetail): [string, string][] {
  const rows: [string, string][] = [
    ['ID', task.id],
    ['Status', task.reason ? `${task.status} (${reasonText(task.reason)})` : task.status],
    ['Exit code', task.exitCode === null ? '-' : String(task.exitCode)],
    [agentKind(task.agent).input === 'command' ? 'Command' : 'Prompt', whatRuns(task, 500)],
    ['Agent', task.agent],
    ['Worker', task.workerId ?? '-'],
    ['Attempt', `${task.attempt} of ${task.maxAttempts}`],
    ['Labels', labelsText(task.labels)],
    ['Priority', String(task.priority)],
    ['Timeout', task.timeoutMs ? formatDuration(task.timeoutMs) : 'none'],
    ['Sandbox', `${task.sandbox ?? 'default (docker or bwrap)'}${task.image ? ` image ${task.image}` : ''}`],
    ['Network', networkText(task)],
    ['Created', `${task.createdAt} (${ago(task.createdAt)})`],
    ['Started', task.startedAt ?? '-'],
    ['Finished', task.finishedAt ?? '-'],
  ];
  if (task.repo) rows.push(['Repository', task.repo]);
  if (task.changes) {
    const { branch, files, insertions, deletions } = task.changes;
    rows.push([
      'Changes',
      `${files} file(s), +${insertions} -${deletions} on branch ${branch} (nexa diff ${task.id})`,
    ]);
  }
  if (task.waitingFor) rows.splice(2, 0, ['Waiting for', task.waitingFor]);
  if (task.cancelRequestedAt && task.status !== 'cancelled')
    rows.splice(2, 0, ['Cancel', `asked at ${task.cancelRequestedAt}`]);
  return rows;
}

/** One line per attempt: which worker, how it ended. */
export function attemptLines(task: TaskDetail): string[] {
  return task.attempts.map((a) => {
    const end = a.finishedAt ? `ended ${ago(a.finishedAt)}` : 'running';
    const exit = a.exitCode === null ? '' : ` exit ${a.exitCode}`;
    return `  #${a.attempt}  ${a.workerId}  ${a.status}${exit}${a.reason ? ` (${reasonText(a.reason)})` : ''}  ${end}`;
  });
}

/**
 * A task's text (a patch, say) as it goes to stdout: unchanged for a pipe
 * (`nexa diff | git apply` needs the true bytes), and with terminal controls
 * shown escaped for a person at a terminal, so a patch cannot hide or recolour
 * lines of itself; line breaks and tabs stay.
 */
export function forReader(text: string, toTerminal: boolean): string {
  return toTerminal ? visible(text, { keepNewlines: true, keepTabs: true }) : text;
}

/** What `nexa tasks show` says of a task's egress; its agent's provider is allowed besides the hosts named. */
function networkText(task: Pick<Task, 'network' | 'allowHosts' | 'agent'>): string {
  if (task.network !== 'allowlist') return task.network;
  const provider = agentKind(task.agent).input === 'prompt' ? ["its agent's provider"] : [];
  const reachable = [...provider, ...task.allowHosts];
  return `allowlist: ${reachable.length > 0 ? reachable.join(', ') : 'nothing'}`;
}
