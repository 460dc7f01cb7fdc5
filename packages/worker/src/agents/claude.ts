import type { ApprovalDecision, TaskEventBody } from '@nexa/core';
import type { Agent, AgentRun } from './agent.js';
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
};

const INITIALIZE_ID = 'nexa-initialize';

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
  async run({ spec, workdir, env, program, approvals, sandbox, events, signal, graceMs }: AgentRun) {
    if (!spec.prompt) return { exitCode: 2, reason: 'the claude agent needs a prompt' };
    const child = sandbox.spawn({
      argv: [...program, ...CLAUDE_ARGS],
      workdir,
      env: { ...env, ...QUIET_ENV },
      stdin: true,
    });
    const messages = new StreamMessages(sandbox.workdir);
    /** Requests Claude Code withdrew (control_cancel_request): their late answers go nowhere. */
    const withdrawn = new Set<string>();
    let finished = false;
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
      await emitAll(messages.eventsFor(message));
      // One prompt, one result: closing stdin lets Claude Code exit, as the SDK does for a single turn.
      if (message.type === 'result') child.stdin.end();
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
    send({
      type: 'user',
      session_id: '',
      message: { role: 'user', content: [{ type: 'text', text: spec.prompt }] },
      parent_tool_use_id: null,
    });
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
