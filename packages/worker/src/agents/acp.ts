import { NEXA_VERSION, type TaskEventBody, within } from '@nexa/core';
import type { ExitInfo } from '../sandbox/index.js';
import {
  ConnectionClosedError,
  JsonRpcError,
  JsonRpcPeer,
  METHOD_NOT_FOUND,
  type RequestId,
} from './acp/jsonRpc.js';
import { approvalRequestFor, permissionOutcome } from './acp/permission.js';
import { SessionUpdates, usageFrom } from './acp/sessionUpdates.js';
import type { Agent, AgentRun, NexaMcpServer } from './agent.js';
import { pipeOutput, termination } from './agentProcess.js';

const PROTOCOL_VERSION = 1;
/** Past this many, malformed lines from the agent are counted, not each reported. */
const MALFORMED_REPORTS = 20;

type PermissionAnswer = ReturnType<typeof permissionOutcome>;
const CANCELLED: PermissionAnswer = { outcome: { outcome: 'cancelled' } };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `nexa mcp` as ACP's McpServer (stdio): env as name/value pairs. */
export function acpMcpServers(mcp: NexaMcpServer | undefined): unknown[] {
  if (!mcp) return [];
  return [
    {
      name: mcp.name,
      command: mcp.command,
      args: mcp.args,
      env: Object.entries(mcp.env).map(([name, value]) => ({ name, value })),
    },
  ];
}

/**
 * An Agent Client Protocol client: starts the task's agent command, opens a
 * session in the working copy, sends the prompt, turns the agent's updates
 * into events and its permission requests into approvals. We offer no file
 * system or terminal of our own: the agent works in its sandbox.
 */
export const acpAgent: Agent = {
  name: 'acp',
  async run(run: AgentRun) {
    const { spec, workdir, env, program, approvals, sandbox, events, signal, graceMs, followUps } = run;
    if (program.length === 0) return { exitCode: 127, reason: 'the acp agent needs a command to run' };
    // Claude Code under an ACP adapter (claude-agent-acp) waits only 5 s for MCP servers by default:
    // give a slow-starting `nexa mcp` time, as for the claude agent. Other agents ignore it.
    const agentEnv = run.mcp ? { MCP_CONNECT_TIMEOUT_MS: '60000', ...env } : env;
    const child = sandbox.spawn({ argv: program, workdir, env: agentEnv, stdin: true });
    const exited = child.wait();

    // When the sink is full, the next update waits (and the agent with it, on its own stdout).
    let room: Promise<void> | undefined;
    const emit = (event: TaskEventBody) => {
      if (events.emit(event) || room) return;
      room = events.writable().then(() => {
        room = undefined;
      });
    };

    const stderrDone = pipeOutput(child.stderr, 'stderr', events);

    const updates = new SessionUpdates(emit);
    const pendingPermissions = new Map<RequestId, (answer: PermissionAnswer) => void>();
    let sessionId: string | undefined;
    /** While session/load replays the history, its updates are not this attempt's events. */
    let replaying = false;
    let malformed = 0;

    const peer = new JsonRpcPeer(child.stdout, child.stdin, {
      onNotification(method, params) {
        if (method !== 'session/update' || !isObject(params)) return;
        if (replaying || (sessionId !== undefined && params.sessionId !== sessionId)) return;
        updates.handle(params.update);
        return room;
      },
      async onRequest(method, params, id) {
        if (method !== 'session/request_permission') {
          throw new JsonRpcError(METHOD_NOT_FOUND, `${method} is not offered by this client`);
        }
        const toolCall = isObject(params) ? params.toolCall : undefined;
        updates.permissionAsked(toolCall);
        if (signal.aborted) return CANCELLED;
        const toolCallId = isObject(toolCall) ? toolCall.toolCallId : undefined;
        const known = typeof toolCallId === 'string' ? updates.toolCallInfo(toolCallId) : undefined;
        const request = approvalRequestFor(String(id), params, known);
        return new Promise<PermissionAnswer>((resolve) => {
          pendingPermissions.set(id, resolve);
          void approvals
            .ask(request)
            .then(
              (decision) => permissionOutcome(decision, params),
              (error: unknown) => {
                emit({
                  kind: 'error',
                  message: `the approval could not be decided: ${(error as Error).message}`,
                });
                return CANCELLED;
              },
            )
            .then((answer) => {
              // an abort may have answered it already
              if (pendingPermissions.delete(id)) resolve(answer);
            });
        });
      },
      onMalformed(line, problem) {
        updates.flush(); // keep the log in the order the agent wrote it
        malformed++;
        if (malformed <= MALFORMED_REPORTS) {
          const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
          emit({ kind: 'error', message: `the agent wrote a line that is not ACP (${problem}): ${shown}` });
        }
        if (malformed === MALFORMED_REPORTS) {
          emit({ kind: 'error', message: 'further lines that are not ACP are not reported' });
        }
      },
    });

    const stopping = termination(child, graceMs);
    const terminate = () => {
      child.stdin.end();
      stopping.terminate();
    };
    // On a stop the agent is told to cancel its turn and gets graceMs to answer the prompt.
    let graceTimer: NodeJS.Timeout | undefined;
    const cancel = () => {
      if (sessionId !== undefined) peer.notify('session/cancel', { sessionId });
      for (const resolve of pendingPermissions.values()) resolve(CANCELLED);
      pendingPermissions.clear();
      graceTimer = setTimeout(terminate, graceMs);
    };
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });

    const converse = async (): Promise<ExitInfo> => {
      const initialized = await peer.request('initialize', {
        protocolVersion: PROTOCOL_VERSION,
        clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
        clientInfo: { name: 'nexa', version: NEXA_VERSION },
      });
      const version = isObject(initialized) ? initialized.protocolVersion : undefined;
      if (version !== PROTOCOL_VERSION) {
        return {
          exitCode: 1,
          reason: `the agent speaks ACP version ${String(version)}; nexa speaks ${PROTOCOL_VERSION}`,
        };
      }
      if (signal.aborted) return { exitCode: 130, reason: 'stopped before the session began' };
      const mcpServers = acpMcpServers(run.mcp);
      let model: unknown;
      if (run.resume) {
        const capabilities = isObject(initialized) ? initialized.agentCapabilities : undefined;
        if (!isObject(capabilities) || capabilities.loadSession !== true) {
          return {
            exitCode: 1,
            reason:
              'this ACP agent cannot load a session (no loadSession capability), so the task cannot be continued',
          };
        }
        sessionId = run.resume.sessionId;
        replaying = true;
        try {
          const loaded = await peer.request('session/load', { sessionId, cwd: sandbox.workdir, mcpServers });
          model = isObject(loaded) && isObject(loaded.models) ? loaded.models.currentModelId : undefined;
        } finally {
          replaying = false;
        }
      } else {
        const session = await peer.request('session/new', { cwd: sandbox.workdir, mcpServers });
        if (!isObject(session) || typeof session.sessionId !== 'string') {
          return { exitCode: 1, reason: 'the agent opened no session (session/new gave no sessionId)' };
        }
        sessionId = session.sessionId;
        model = isObject(session.models) ? session.models.currentModelId : undefined;
      }
      emit({ kind: 'session', sessionId });
      // The prompt, then each follow-up waiting when a turn ends, as the next turn in the same session.
      let text: string | undefined = run.resume?.prompt ?? spec.prompt ?? '';
      let outcome: ExitInfo = { exitCode: 0 };
      while (text !== undefined) {
        if (signal.aborted) return { exitCode: 130, reason: 'stopped before the prompt was sent' };
        outcome = await promptTurn(sessionId, text, model);
        if (outcome.exitCode !== 0) break;
        text = followUps.take();
      }
      followUps.close();
      return outcome;
    };

    const promptTurn = async (session: string, text: string, model: unknown): Promise<ExitInfo> => {
      const response = await peer.request('session/prompt', {
        sessionId: session,
        prompt: [{ type: 'text', text }],
      });
      updates.flush();
      const turn = isObject(response) ? response : {};
      const usage = usageFrom(turn.usage);
      if (usage) {
        emit({
          kind: 'usage',
          model: typeof model === 'string' ? model : null,
          ...usage,
          costUsd: updates.costUsd,
        });
      }
      const stopReason = turn.stopReason;
      if (stopReason === 'end_turn') return { exitCode: 0 };
      if (stopReason === 'cancelled') return { exitCode: 130, reason: 'the agent cancelled its turn' };
      return { exitCode: 1, reason: `the agent stopped its turn: ${String(stopReason)}` };
    };

    try {
      let outcome: ExitInfo;
      try {
        outcome = await converse();
      } catch (error) {
        updates.flush();
        if (!(error instanceof ConnectionClosedError)) {
          outcome = { exitCode: 1, reason: `the agent answered with an error: ${(error as Error).message}` };
        } else {
          // it closed its output: it has exited or is about to
          let exit = await within(exited, graceMs);
          if (!exit) {
            terminate();
            exit = await exited;
          }
          outcome =
            exit.exitCode !== 0
              ? exit
              : { exitCode: 1, reason: 'the agent exited before it finished the prompt' };
        }
      }
      clearTimeout(graceTimer);
      // Done: end its stdin (an ACP agent exits on EOF); after graceMs, stop it.
      child.stdin.end();
      if (signal.aborted || !(await within(exited, graceMs))) terminate();
      await exited;
      await within(stderrDone, graceMs);
      updates.flush(); // anything it said after its answer
      return outcome;
    } finally {
      clearTimeout(graceTimer);
      signal.removeEventListener('abort', cancel);
      stopping.end(); // anything the agent left behind in its group
    }
  },
};
