import { within } from '@nexa/core';
import type { ExitInfo } from '../sandbox/index.js';
import { ConnectionClosedError } from './acp/jsonRpc.js';
import type { Agent, AgentRun, NexaMcpServer } from './agent.js';
import { pipeOutput, termination } from './agentProcess.js';
import { AppServerSession } from './codex/appServer.js';

/**
 * Codex CLI as `codex app-server`: one thread, one turn on the prompt. Codex
 * asks before it runs a command or edits a file, and each request goes to the
 * approvals queue. Codex's own sandbox is off: Nexa's sandbox is the wall.
 */

/**
 * Where Codex keeps its config, auth and sessions: the operator's CODEX_HOME
 * when the worker passes one, else `$HOME/.codex`, Codex's own default. Its
 * log lines on stderr go into the task's log, so without colour codes.
 */
function codexEnv(env: Record<string, string>): Record<string, string> {
  const plain = { NO_COLOR: '1', ...env };
  if (env.CODEX_HOME || !env.HOME) return plain;
  return { ...plain, CODEX_HOME: `${env.HOME.replace(/\/$/, '')}/.codex` };
}

/**
 * `nexa mcp` as Codex config overrides (`-c`, TOML values): the server's
 * command and args, and the NAMES of the variables to hand it (env_vars), whose
 * values Codex takes from its own environment: the token is never in argv.
 */
export function codexMcpArgs(mcp: NexaMcpServer): string[] {
  const key = `mcp_servers.${mcp.name}`;
  return [
    '-c',
    `${key}.command=${JSON.stringify(mcp.command)}`,
    '-c',
    `${key}.args=${JSON.stringify(mcp.args)}`,
    '-c',
    `${key}.env_vars=${JSON.stringify(Object.keys(mcp.env))}`,
  ];
}

export const codexAgent: Agent = {
  name: 'codex',
  async run(run: AgentRun) {
    const { spec, program, workdir, env, approvals, sandbox, events, signal, graceMs, followUps } = run;
    const prompt = run.resume?.prompt ?? spec.prompt;
    if (!prompt) return { exitCode: 2, reason: 'a codex task needs a prompt' };
    if (program.length === 0) return { exitCode: 127, reason: 'no codex program to run (see --agent-bin)' };
    const child = sandbox.spawn({
      argv: [...program, ...(run.mcp ? codexMcpArgs(run.mcp) : []), 'app-server'],
      workdir,
      env: { ...codexEnv(env), ...run.mcp?.env },
      stdin: true,
    });
    const exited = child.wait();
    const stderrDone = pipeOutput(child.stderr, 'stderr', events);
    const session = new AppServerSession(child, {
      workdir: sandbox.workdir,
      approvals,
      events,
      followUps,
      resumeThreadId: run.resume?.sessionId,
    });

    const stopping = termination(child, graceMs);
    const terminate = () => {
      child.stdin.end();
      stopping.terminate();
    };
    // On a stop Codex is told to interrupt its turn and gets graceMs to end it; then SIGTERM, then SIGKILL.
    let graceTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      session.stop();
      graceTimer = setTimeout(terminate, graceMs);
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });

    try {
      let outcome: ExitInfo | undefined;
      try {
        outcome = await session.run(prompt);
      } catch (error) {
        if (!(error instanceof ConnectionClosedError))
          outcome = { exitCode: 1, reason: `codex answered with an error: ${(error as Error).message}` };
      }
      clearTimeout(graceTimer);
      // Done: end its stdin (the app-server exits on EOF); after graceMs, stop it.
      child.stdin.end();
      if (signal.aborted || !(await within(exited, graceMs))) terminate();
      const exit = await exited;
      await within(stderrDone, graceMs);
      if (outcome) return outcome;
      // It closed its output before the turn ended: it has exited or is about to.
      return exit.exitCode !== 0 ? exit : { exitCode: 1, reason: 'codex ended without finishing its turn' };
    } finally {
      clearTimeout(graceTimer);
      signal.removeEventListener('abort', stop);
      stopping.end(); // anything Codex left behind in its group
    }
  },
};
