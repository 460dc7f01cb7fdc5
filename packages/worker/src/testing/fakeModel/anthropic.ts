import type { ServerResponse } from 'node:http';
import { hasScript, type ModelStep, nextStep } from './script.js';
import { type FakeModelServer, type FakeRequest, sendJson, sendSse, startFakeServer } from './server.js';

/**
 * A fake Anthropic Messages API for Claude Code, driven by the scripted model.
 * Requests that offer the Bash tool are the agent's turns; anything else is
 * one of Claude Code's small side calls (titles, command prefixes, quota
 * checks), answered briefly so it carries on.
 */

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: object };

interface Reply {
  content: Block[];
  stopReason: 'end_turn' | 'tool_use';
}

interface MessageParam {
  role: string;
  content: string | { type: string; text?: string; content?: unknown }[];
}

interface MessagesBody {
  model?: string;
  stream?: boolean;
  system?: string | { text?: string }[];
  tools?: { name?: string }[];
  messages?: MessageParam[];
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block: { type?: string; text?: string }) => (block.type === 'text' ? (block.text ?? '') : ''))
    .join('\n');
}

/**
 * The script (the latest user turn that has one, else the first user
 * message) and the text of every tool result since it.
 */
function conversation(messages: MessageParam[]): { prompt: string; toolResults: string[] } {
  const users = messages.filter((message) => message.role === 'user');
  const scripted = users.findLast((message) => hasScript(textOf(message.content))) ?? users[0];
  const prompt = textOf(scripted?.content);
  const toolResults: string[] = [];
  for (const message of users.slice(scripted ? users.indexOf(scripted) + 1 : 0)) {
    if (!Array.isArray(message.content)) continue;
    for (const block of message.content) {
      if (block.type === 'tool_result') toolResults.push(textOf(block.content));
    }
  }
  return { prompt, toolResults };
}

function systemText(system: MessagesBody['system']): string {
  return typeof system === 'string' ? system : (system ?? []).map((part) => part.text ?? '').join('\n');
}

let nextId = 0;
const id = (prefix: string) => `${prefix}_fake${String(++nextId).padStart(6, '0')}`;

function stepReply(step: ModelStep): Reply {
  if (step.kind === 'answer') return { content: [{ type: 'text', text: step.text }], stopReason: 'end_turn' };
  const [name, input] = step.kind === 'tool' ? [step.name, step.input] : ['Bash', { command: step.command }];
  return {
    content: [{ type: 'tool_use', id: id('toolu'), name, input }],
    stopReason: 'tool_use',
  };
}

/** What Claude Code's side calls get: enough for each to parse and move on. */
function sideReply(body: MessagesBody): Reply {
  const system = systemText(body.system);
  const said = (text: string): Reply => ({ content: [{ type: 'text', text }], stopReason: 'end_turn' });
  // Bash command prefix detection ("Command: echo hi > x"): the first word, as for a plain command.
  if (/process Bash commands|command prefix/i.test(system)) {
    const asked = textOf(body.messages?.at(-1)?.content);
    return said(/Command:\s*(\S+)/.exec(asked)?.[1] ?? 'none');
  }
  // Session titles come back as JSON with a "title" field (the request carries a json_schema format).
  if (/\btitle\b/i.test(system)) return said('{"title": "Scripted task"}');
  return said('ok');
}

function usageFor(body: MessagesBody) {
  return { input_tokens: 10 + (body.messages?.length ?? 0), output_tokens: 5 };
}

function sendMessage(response: ServerResponse, body: MessagesBody, reply: Reply): void {
  const model = body.model ?? 'claude-fake';
  const usage = usageFor(body);
  const messageId = id('msg');
  if (!body.stream) {
    sendJson(response, 200, {
      id: messageId,
      type: 'message',
      role: 'assistant',
      model,
      content: reply.content,
      stop_reason: reply.stopReason,
      stop_sequence: null,
      usage,
    });
    return;
  }
  const events: { event: string; data: unknown }[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          id: messageId,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 1 },
        },
      },
    },
  ];
  reply.content.forEach((block, index) => {
    const start = block.type === 'text' ? { ...block, text: '' } : { ...block, input: {} };
    const delta =
      block.type === 'text'
        ? { type: 'text_delta', text: block.text }
        : { type: 'input_json_delta', partial_json: JSON.stringify(block.input) };
    events.push(
      { event: 'content_block_start', data: { type: 'content_block_start', index, content_block: start } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index, delta } },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index } },
    );
  });
  events.push(
    {
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: reply.stopReason, stop_sequence: null },
        usage: { output_tokens: usage.output_tokens },
      },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  );
  sendSse(response, events);
}

function handle(request: FakeRequest, response: ServerResponse): void {
  const { method, path } = request;
  if (method === 'POST' && path === '/v1/messages') {
    const body = (request.body ?? {}) as MessagesBody;
    const isAgentTurn = (body.tools ?? []).some((tool) => tool.name === 'Bash');
    const { prompt, toolResults } = conversation(body.messages ?? []);
    const offered = (body.tools ?? []).flatMap((tool) => (tool.name ? [tool.name] : []));
    sendMessage(
      response,
      body,
      isAgentTurn ? stepReply(nextStep(prompt, toolResults, offered)) : sideReply(body),
    );
  } else if (method === 'POST' && path === '/v1/messages/count_tokens') {
    sendJson(response, 200, { input_tokens: 100 });
  } else if ((method === 'GET' || method === 'HEAD') && (path === '/' || path === '/v1')) {
    // Claude Code checks the base URL answers (HEAD /) before its first request.
    sendJson(response, 200, { ok: true });
  } else {
    sendJson(response, 404, {
      type: 'error',
      error: { type: 'not_found_error', message: `the fake Anthropic API has no ${method} ${path}` },
    });
  }
}

/** Starts the fake on 127.0.0.1; point ANTHROPIC_BASE_URL at its `url`. */
export function startFakeAnthropic(): Promise<FakeModelServer> {
  return startFakeServer(handle);
}
