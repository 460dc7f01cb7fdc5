import { relative } from 'node:path';
import type { Readable } from 'node:stream';
import type { TaskEventBody } from '@nexa/core';
import type { ExitInfo } from '../sandbox/index.js';
import type { Agent, AgentRun, EventSink } from './agent.js';

/**
 * Codex CLI in `exec --json` mode: one turn on the prompt, its progress as
 * JSON lines on stdout (thread/turn/item events), which become Nexa events.
 * Exec mode cannot ask for permission, so Codex runs with its own sandbox and
 * approvals off: Nexa's sandbox is the wall around the task.
 */

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

/** The argv for one run: flags first, then `--` so a prompt starting with a dash stays a prompt. */
export function codexArgv(program: string[], workdir: string, prompt: string): string[] {
  return [
    ...program,
    'exec',
    '--json',
    '--skip-git-repo-check',
    '--dangerously-bypass-approvals-and-sandbox',
    '--color',
    'never',
    '--cd',
    workdir,
    '--',
    prompt,
  ];
}

// The items of Codex's exec JSON stream that Nexa maps; see codex-rs/exec/src/exec_events.rs.
interface CodexItem {
  id?: string;
  type?: string;
  text?: string;
  message?: string;
  command?: string;
  aggregated_output?: string;
  exit_code?: number | null;
  status?: string;
  changes?: { path?: string; kind?: string }[];
  server?: string;
  tool?: string;
  arguments?: unknown;
  result?: unknown;
  error?: { message?: string } | null;
  query?: string;
}

interface CodexEvent {
  type?: string;
  item?: CodexItem;
  message?: string;
  error?: { message?: string };
  usage?: { input_tokens?: number; cached_input_tokens?: number; output_tokens?: number };
}

/** Turns Codex's JSON lines into Nexa events and remembers how the turn ended. */
class CodexStream {
  turnCompleted = false;
  failure: string | undefined;
  private readonly started = new Set<string>();
  private lastError: string | undefined;

  constructor(
    private readonly workdir: string,
    private readonly emit: (event: TaskEventBody) => boolean,
  ) {}

  line(line: string): boolean {
    if (line.trim() === '') return true;
    let event: CodexEvent;
    try {
      event = JSON.parse(line) as CodexEvent;
    } catch {
      return this.error(`codex wrote a line that is not JSON: ${line.slice(0, 500)}`);
    }
    if (typeof event !== 'object' || event === null)
      return this.error(`codex wrote an unexpected line: ${line.slice(0, 500)}`);
    switch (event.type) {
      case 'item.started':
        return this.itemStarted(event.item ?? {});
      case 'item.completed':
        return this.itemCompleted(event.item ?? {});
      case 'turn.completed':
        this.turnCompleted = true;
        return this.emit({
          kind: 'usage',
          model: null,
          inputTokens: event.usage?.input_tokens ?? 0,
          outputTokens: event.usage?.output_tokens ?? 0,
          cacheReadTokens: event.usage?.cached_input_tokens ?? 0,
          cacheWriteTokens: 0,
          costUsd: null,
        });
      case 'turn.failed':
        this.failure = event.error?.message ?? 'codex failed the turn';
        return this.error(this.failure);
      case 'error':
        return this.error(event.message ?? 'codex reported an error');
      default:
        // thread.started, turn.started, item.updated: nothing a reader needs.
        return true;
    }
  }

  private error(message: string): boolean {
    // Codex reports a failed turn twice (`error`, then `turn.failed`): log it once.
    if (message === this.lastError) return true;
    this.lastError = message;
    return this.emit({ kind: 'error', message });
  }

  private callId(item: CodexItem): string {
    return item.id ?? 'codex-item';
  }

  private toolCall(item: CodexItem): boolean {
    const callId = this.callId(item);
    if (this.started.has(callId)) return true;
    this.started.add(callId);
    switch (item.type) {
      case 'command_execution': {
        const command = item.command ?? '';
        return this.emit({
          kind: 'tool_call',
          callId,
          tool: 'shell',
          title: `run \`${shownCommand(command)}\``,
          input: { command },
        });
      }
      case 'file_change': {
        const changes = item.changes ?? [];
        const paths = changes.map((change) => relative(this.workdir, change.path ?? '') || '.');
        return this.emit({
          kind: 'tool_call',
          callId,
          tool: 'apply_patch',
          title: `edit ${paths.join(', ')}`,
          input: { changes },
        });
      }
      case 'mcp_tool_call':
        return this.emit({
          kind: 'tool_call',
          callId,
          tool: `${item.server ?? 'mcp'}.${item.tool ?? 'tool'}`,
          title: `call ${item.server ?? 'mcp'} ${item.tool ?? ''}`.trim(),
          input: item.arguments,
        });
      case 'web_search':
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

  private toolResult(item: CodexItem, ok: boolean, output: string): boolean {
    return this.emit({ kind: 'tool_result', callId: this.callId(item), ok, output: cut(output) });
  }

  private itemStarted(item: CodexItem): boolean {
    return this.toolCall(item);
  }

  private itemCompleted(item: CodexItem): boolean {
    switch (item.type) {
      case 'agent_message':
        return this.emit({ kind: 'agent_message', role: 'assistant', text: item.text ?? '' });
      case 'reasoning':
        return this.emit({ kind: 'agent_message', role: 'thought', text: item.text ?? '' });
      case 'error':
        // A warning Codex carries on after (e.g. unknown model metadata).
        return this.error(item.message ?? 'codex reported an error');
      case 'command_execution':
        this.toolCall(item);
        return this.toolResult(item, item.exit_code === 0, item.aggregated_output ?? '');
      case 'file_change': {
        this.toolCall(item);
        const changes = (item.changes ?? []).map(
          (change) => `${change.kind ?? 'update'} ${change.path ?? ''}`,
        );
        return this.toolResult(item, item.status === 'completed', changes.join('\n'));
      }
      case 'mcp_tool_call': {
        this.toolCall(item);
        const output = item.error?.message ?? (item.result === undefined ? '' : JSON.stringify(item.result));
        return this.toolResult(item, item.status === 'completed' && !item.error, output);
      }
      case 'web_search':
        this.toolCall(item);
        return this.toolResult(item, true, '');
      default:
        // todo_list and item kinds newer than this adapter carry nothing Nexa shows.
        return true;
    }
  }
}

/** Calls `onLine` for each line of `stream`, pausing the stream while the sink is full. */
function readLines(stream: Readable, onLine: (line: string) => boolean, events: EventSink): Promise<void> {
  return new Promise((resolve, reject) => {
    let rest = '';
    const pauseUntilWritable = () => {
      stream.pause();
      void events.writable().then(() => stream.resume());
    };
    stream.on('data', (data: string) => {
      const lines = (rest + data).split('\n');
      rest = lines.pop() ?? '';
      let full = false;
      for (const line of lines) if (!onLine(line)) full = true;
      if (full) pauseUntilWritable();
    });
    const end = () => {
      if (rest !== '') onLine(rest);
      rest = '';
      resolve();
    };
    stream.once('end', end);
    stream.once('close', end);
    stream.once('error', reject);
  });
}

/** Copies stderr into output events (Codex logs and warnings go there). */
function pipeStderr(stream: Readable, events: EventSink): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on('data', (data: string) => {
      if (!events.emit({ kind: 'output', stream: 'stderr', data })) {
        stream.pause();
        void events.writable().then(() => stream.resume());
      }
    });
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', reject);
  });
}

/**
 * Where Codex keeps its config, auth and sessions: the operator's CODEX_HOME
 * when the worker passes one, else `$HOME/.codex`, Codex's own default.
 */
function codexEnv(env: Record<string, string>): Record<string, string> {
  if (env.CODEX_HOME || !env.HOME) return env;
  return { ...env, CODEX_HOME: `${env.HOME.replace(/\/$/, '')}/.codex` };
}

export const codexAgent: Agent = {
  name: 'codex',
  async run({ spec, program, workdir, env, sandbox, events, signal, graceMs }: AgentRun): Promise<ExitInfo> {
    if (!spec.prompt) return { exitCode: 2, reason: 'a codex task needs a prompt' };
    if (program.length === 0) return { exitCode: 127, reason: 'no codex program to run (see --agent-bin)' };
    const child = sandbox.spawn({
      argv: codexArgv(program, sandbox.workdir, spec.prompt),
      workdir,
      env: codexEnv(env),
    });
    const stream = new CodexStream(sandbox.workdir, (event) => events.emit(event));
    let killTimer: NodeJS.Timeout | undefined;
    // SIGTERM first; whatever still runs after the grace period gets SIGKILL.
    const stop = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    try {
      const [exit] = await Promise.all([
        child.wait(),
        readLines(child.stdout, (line) => stream.line(line), events),
        pipeStderr(child.stderr, events),
      ]);
      if (signal.aborted) return exit;
      if (stream.failure !== undefined) return { exitCode: 1, reason: stream.failure };
      if (exit.exitCode !== 0) return exit;
      if (!stream.turnCompleted) return { exitCode: 1, reason: 'codex ended without finishing its turn' };
      return { exitCode: 0 };
    } finally {
      clearTimeout(killTimer);
      signal.removeEventListener('abort', stop);
      child.kill('SIGKILL'); // anything Codex left behind in its group
    }
  },
};
