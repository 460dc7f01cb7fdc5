import { join } from 'node:path';
import type { ApprovalDecision, TaskEventBody } from '@nexa/core';
import { writeOwnFile } from '../ownCorner.js';
import type { Agent, AgentRun, NexaMcpServer } from './agent.js';
import { pipeOutput, termination } from './agentProcess.js';
import { StreamMessages } from './claude/streamMessages.js';
import { approvalRequestFor } from './claude/tools.js';
import { readJsonLines, writeJsonLine } from './jsonLines.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Claude Code headless, speaking the Agent SDK's protocol: stream-json both
 * ways, and permission requests as `can_use_tool` control requests on stdout
 * that we answer on stdin.
 */
const CLAUDE_ARGS = [
  '-p',
  '--output-format',
  'stream-json',
  '--input-format',
  'stream-json',
  '--verbose',
  '--permission-prompt-tool',
  'stdio',
];

/** No updates, telemetry or error reports: the agent talks to its model API and nothing else. IS_SANDBOX lets it run as root. */
const QUIET_ENV = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_AUTOUPDATER: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_ERROR_REPORTING: '1',
  IS_SANDBOX: '1',
  // In print mode Claude Code waits only 5 s for its MCP servers, then starts without their tools:
  // on a loaded box `nexa mcp` can take longer to start, and the agent would never see nexa's tools.
  MCP_CONNECT_TIMEOUT_MS: '60000',
};

const INITIALIZE_ID = 'nexa-initialize';

/** Where the MCP config goes, in the agent's home (which holds the token already: its login). */
const MCP_CONFIG_FILE = 'nexa-mcp.json';

/**
 * Claude Code's flags for `nexa mcp`: a config file (0600: it holds the
 * task's token), no other MCP server, and nexa's own tools allowed without
 * an approval (`mcp__nexa` covers every tool of the server).
 */
export function claudeMcpArgs(mcp: NexaMcpServer, hostHome: string, homeInSandbox: string): string[] {
  const config = {
    mcpServers: { [mcp.name]: { type: 'stdio', command: mcp.command, args: mcp.args, env: mcp.env } },
  };
  writeOwnFile(join(hostHome, MCP_CONFIG_FILE), JSON.stringify(config), 0o600);
  return [
    '--mcp-config',
    `${homeInSandbox}/${MCP_CONFIG_FILE}`,
    '--strict-mcp-config',
    '--allowedTools',
    `mcp__${mcp.name}`,
  ];
}

/** A user turn in stream-json. */
const userMessage = (text: string) => ({
  type: 'user',
  session_id: '',
  message: { role: 'user', content: [{ type: 'text', text }] },
  parent_tool_use_id: null,
});

/** What Claude Code is told: the gate's answer, with "always" kept for this session only (never written into the working copy). */
function permissionResult(decision: ApprovalDecision, input: Json, suggestions: unknown): Json {
  if (decision.outcome !== 'allow')
    return { behavior: 'deny', message: decision.message || 'denied by Nexa' };
  const remember =
    decision.always && Array.isArray(suggestions)
      ? suggestions.filter(isObject).map((suggestion) => ({ ...suggestion, destination: 'session' }))
      : [];
  return {
    behavior: 'allow',
    updatedInput: decision.updatedInput ?? input,
    ...(remember.length ? { updatedPermissions: remember } : {}),
  };
}

export const claudeAgent: Agent = {
  name: 'claude',
  async run(run: AgentRun) {
    const { spec, workdir, env, program, approvals, sandbox, events, signal, graceMs, followUps } = run;
    const prompt = run.resume?.prompt ?? spec.prompt;
    if (!prompt) return { exitCode: 2, reason: 'the claude agent needs a prompt' };
    const home = env.HOME ?? workdir;
    const homeInSandbox = home.startsWith(workdir) ? `${sandbox.workdir}${home.slice(workdir.length)}` : home;
    const child = sandbox.spawn({
      argv: [
        ...program,
        ...CLAUDE_ARGS,
        ...(run.mcp ? claudeMcpArgs(run.mcp, home, homeInSandbox) : []),
        ...(run.resume ? ['--resume', run.resume.sessionId] : []),
      ],
      workdir,
      env: { ...env, ...QUIET_ENV },
      stdin: true,
    });
    const messages = new StreamMessages(sandbox.workdir);
    /** Requests Claude Code withdrew (control_cancel_request): their late answers go nowhere. */
    const withdrawn = new Set<string>();
    let finished = false;
    let sessionId: string | undefined;
    const send = (message: Json) => !finished && !signal.aborted && writeJsonLine(child.stdin, message);
    const emitAll = async (bodies: TaskEventBody[]) => {
      let full = false;
      for (const body of bodies) full = !events.emit(body) || full;
      if (full) await events.writable();
    };

    const answerPermission = async (requestId: string, request: Json) => {
      const tool = typeof request.tool_name === 'string' ? request.tool_name : 'tool';
      const input = isObject(request.input) ? request.input : {};
      let result: Json;
      try {
        const decision = await approvals.ask(approvalRequestFor(requestId, tool, input, sandbox.workdir));
        result = permissionResult(decision, input, request.permission_suggestions);
      } catch (error) {
        events.emit({ kind: 'error', message: `could not ask for approval of ${tool}: ${String(error)}` });
        result = { behavior: 'deny', message: 'denied by Nexa: the approval could not be asked' };
      }
      if (withdrawn.has(requestId)) return;
      send({
        type: 'control_response',
        response: {
          subtype: 'success',
          request_id: requestId,
          response: { ...result, toolUseID: request.tool_use_id },
        },
      });
    };

    const onMessage = async (message: unknown) => {
      if (!isObject(message) || typeof message.type !== 'string') {
        events.emit({
          kind: 'error',
          message: `claude sent a message without a type: ${JSON.stringify(message).slice(0, 200)}`,
        });
        return;
      }
      if (message.type === 'control_request') {
        const requestId = String(message.request_id);
        const request = isObject(message.request) ? message.request : {};
        if (request.subtype === 'can_use_tool') void answerPermission(requestId, request);
        // Hooks, SDK MCP servers, elicitations: none are registered, so say so rather than leave it waiting.
        else
          send({
            type: 'control_response',
            response: {
              subtype: 'error',
              request_id: requestId,
              error: `Nexa does not handle ${String(request.subtype)}`,
            },
          });
        return;
      }
      if (message.type === 'control_cancel_request') {
        withdrawn.add(String(message.request_id));
        return;
      }
      if (message.type === 'control_response') {
        const response = isObject(message.response) ? message.response : {};
        if (response.subtype === 'error') {
          events.emit({
            kind: 'error',
            message: `claude refused a control request: ${String(response.error)}`,
          });
        }
        return;
      }
      if (typeof message.session_id === 'string' && message.session_id && !sessionId) {
        sessionId = message.session_id;
        events.emit({ kind: 'session', sessionId });
      }
      await emitAll(messages.eventsFor(message));
      if (message.type !== 'result') return;
      // A turn ended: the next follow-up is the next turn; with none, closing stdin lets Claude Code exit.
      const next = followUps.take();
      if (next !== undefined) send(userMessage(next));
      else {
        followUps.close();
        child.stdin.end();
      }
    };

    const stopping = termination(child, graceMs);
    // Ask it to stop its turn, then SIGTERM; whatever still runs after the grace period gets SIGKILL.
    const stop = () => {
      writeJsonLine(child.stdin, {
        type: 'control_request',
        request_id: 'nexa-interrupt',
        request: { subtype: 'interrupt' },
      });
      child.stdin.end();
      stopping.terminate();
    };

    send({ type: 'control_request', request_id: INITIALIZE_ID, request: { subtype: 'initialize' } });
    send(userMessage(prompt));
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });

    try {
      const [exit] = await Promise.all([
        child.wait(),
        readJsonLines(child.stdout, {
          onMessage,
          onMalformed: (line, problem) =>
            events.emit({
              kind: 'error',
              message: `claude wrote a line that is not JSON (${problem}): ${line.slice(0, 200)}`,
            }),
        }).catch((error: unknown) => {
          events.emit({ kind: 'error', message: `could not read claude's output: ${String(error)}` });
        }),
        pipeOutput(child.stderr, 'stderr', events),
      ]);
      if (messages.outcome && !signal.aborted) return messages.outcome;
      if (exit.exitCode === 0) return { exitCode: 1, reason: 'claude ended without a result' };
      return exit;
    } finally {
      finished = true;
      signal.removeEventListener('abort', stop);
      stopping.end(); // anything the agent left behind in its group
    }
  },
};
