import { writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { type ModelStep, nextStep } from './script.js';
import { type FakeModelServer, type FakeRequest, sendJson, sendSse, startFakeServer } from './server.js';

/**
 * A fake OpenAI Responses API for Codex, driven by the scripted model. Codex
 * streams every turn as POST /v1/responses; a `run` step becomes one call to
 * whichever shell tool the request offers, an answer one assistant message.
 */

/** What every response reports using; Codex adds these up over a turn. */
export const fakeResponseUsage = { inputTokens: 120, cachedInputTokens: 20, outputTokens: 30 } as const;

interface InputItem {
  type?: string;
  role?: string;
  content?: unknown;
  output?: unknown;
  /** tool_search_output: the tools found, MCP servers' as namespaces ({type: 'namespace', name: 'mcp__nexa', tools}). */
  tools?: { type?: string; name?: string; tools?: { name?: string }[] }[];
}

interface ResponsesBody {
  model?: string;
  input?: InputItem[];
  tools?: { type?: string; name?: string }[];
}

type OutputItem =
  | {
      type: 'message';
      id: string;
      role: 'assistant';
      status: 'completed';
      content: { type: 'output_text'; text: string; annotations: [] }[];
    }
  | {
      type: 'function_call';
      id: string;
      call_id: string;
      name: string;
      arguments: string;
      status: 'completed';
      namespace?: string;
    }
  | {
      type: 'tool_search_call';
      id: string;
      call_id: string;
      execution: 'client';
      arguments: { query: string };
      status: 'completed';
    };

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: { text?: unknown }) => (typeof part.text === 'string' ? part.text : ''))
    .join('\n');
}

/**
 * The prompt and the text of every tool result so far. Codex sends its
 * instructions and environment as earlier messages, so the prompt is the last
 * user message.
 */
function conversation(input: InputItem[]): { prompt: string; toolResults: string[] } {
  const userMessages = input.filter((item) => item.type === 'message' && item.role === 'user');
  const prompt = textOf(userMessages.at(-1)?.content);
  const toolResults = input
    .filter((item) => item.type === 'function_call_output' || item.type === 'custom_tool_call_output')
    .map((item) => textOf(item.output));
  return { prompt, toolResults };
}

let nextId = 0;
const id = (prefix: string) => `${prefix}_fake${String(++nextId).padStart(6, '0')}`;

/** A call to the shell tool the request declares, in that tool's own argument shape. */
function shellCall(body: ResponsesBody, command: string): OutputItem {
  const names = new Set((body.tools ?? []).map((tool) => tool.name));
  const [name, args] = names.has('exec_command')
    ? ['exec_command', { cmd: command }]
    : names.has('shell_command')
      ? ['shell_command', { command }]
      : ['shell', { command: ['bash', '-lc', command] }];
  return {
    type: 'function_call',
    id: id('fc'),
    call_id: id('call'),
    name,
    arguments: JSON.stringify(args),
    status: 'completed',
  };
}

function stepItem(body: ResponsesBody, step: ModelStep): OutputItem {
  if (step.kind === 'run') return shellCall(body, step.command);
  if (step.kind === 'tool') {
    return {
      type: 'function_call',
      id: id('fc'),
      call_id: id('call'),
      name: step.name,
      arguments: JSON.stringify(step.input),
      status: 'completed',
    };
  }
  return {
    type: 'message',
    id: id('msg'),
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text: step.text, annotations: [] }],
  };
}

/** The whole SSE stream for one response holding `item`, as the Responses API streams it. */
function responseEvents(body: ResponsesBody, item: OutputItem): { event: string; data: unknown }[] {
  const response = {
    id: id('resp'),
    object: 'response',
    model: body.model ?? 'gpt-fake',
    output: [] as OutputItem[],
  };
  const usage = {
    input_tokens: fakeResponseUsage.inputTokens,
    input_tokens_details: { cached_tokens: fakeResponseUsage.cachedInputTokens },
    output_tokens: fakeResponseUsage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: fakeResponseUsage.inputTokens + fakeResponseUsage.outputTokens,
  };
  const at = { output_index: 0 };
  const events: { type: string; [field: string]: unknown }[] = [
    { type: 'response.created', response: { ...response, status: 'in_progress' } },
  ];
  if (item.type === 'message') {
    const text = item.content[0]?.text ?? '';
    events.push(
      { type: 'response.output_item.added', ...at, item: { ...item, status: 'in_progress', content: [] } },
      { type: 'response.output_text.delta', ...at, item_id: item.id, content_index: 0, delta: text },
      { type: 'response.output_text.done', ...at, item_id: item.id, content_index: 0, text },
    );
  } else if (item.type === 'tool_search_call') {
    events.push({ type: 'response.output_item.added', ...at, item: { ...item, status: 'in_progress' } });
  } else {
    events.push(
      { type: 'response.output_item.added', ...at, item: { ...item, status: 'in_progress', arguments: '' } },
      { type: 'response.function_call_arguments.delta', ...at, item_id: item.id, delta: item.arguments },
      { type: 'response.function_call_arguments.done', ...at, item_id: item.id, arguments: item.arguments },
    );
  }
  events.push(
    { type: 'response.output_item.done', ...at, item },
    { type: 'response.completed', response: { ...response, status: 'completed', output: [item], usage } },
  );
  return events.map((data) => ({ event: data.type, data }));
}

/**
 * The tools a request offers by name: its own, and those an earlier
 * tool_search found (Codex 0.169 defers MCP tools behind tool_search), a
 * namespace's as `<namespace>__<tool>` (mcp__nexa__kv_set).
 */
function offeredTools(body: ResponsesBody): Map<string, { namespace?: string; name: string }> {
  const offered = new Map<string, { namespace?: string; name: string }>();
  for (const tool of body.tools ?? []) if (tool.name) offered.set(tool.name, { name: tool.name });
  for (const item of body.input ?? []) {
    if (item.type !== 'tool_search_output') continue;
    for (const found of item.tools ?? []) {
      if (!found.name) continue;
      if (found.type !== 'namespace') offered.set(found.name, { name: found.name });
      for (const tool of found.tools ?? []) {
        if (tool.name) offered.set(`${found.name}__${tool.name}`, { namespace: found.name, name: tool.name });
      }
    }
  }
  return offered;
}

/** The model's next output item: the script's step, or first a tool_search for a nexa tool Codex deferred. */
function nextItem(body: ResponsesBody): OutputItem {
  const { prompt, toolResults } = conversation(body.input ?? []);
  const offered = offeredTools(body);
  const step = nextStep(prompt, toolResults, [...offered.keys()]);
  const missing =
    step.kind === 'answer' ? /^the tool mcp__nexa__(\w+) was missing$/.exec(step.text)?.[1] : undefined;
  const canSearch = (body.tools ?? []).some((tool) => tool.type === 'tool_search');
  const searched = (body.input ?? []).some((item) => item.type === 'tool_search_output');
  if (missing && canSearch && !searched) {
    return {
      type: 'tool_search_call',
      id: id('ts'),
      call_id: id('call'),
      execution: 'client',
      arguments: { query: `nexa ${missing}` },
      status: 'completed',
    };
  }
  const found = step.kind === 'tool' ? offered.get(step.name) : undefined;
  if (step.kind === 'tool' && found?.namespace) {
    return {
      type: 'function_call',
      id: id('fc'),
      call_id: id('call'),
      namespace: found.namespace,
      name: found.name,
      arguments: JSON.stringify(step.input),
      status: 'completed',
    };
  }
  return stepItem(body, step);
}

function handle(request: FakeRequest, response: ServerResponse): void {
  if (request.method === 'POST' && request.path.endsWith('/responses')) {
    const body = (request.body ?? {}) as ResponsesBody;
    sendSse(response, responseEvents(body, nextItem(body)));
    return;
  }
  sendJson(response, 404, {
    error: {
      type: 'invalid_request_error',
      message: `the fake OpenAI API has no ${request.method} ${request.path}`,
    },
  });
}

/** Starts the fake on 127.0.0.1; point a Responses API provider's base URL at `${url}/v1`. */
export function startFakeOpenAI(): Promise<FakeModelServer> {
  return startFakeServer(handle);
}

/**
 * A CODEX_HOME config.toml with everything Codex needs to talk to the fake and nothing else: a provider on
 * loopback, and every call home (update check, analytics, feedback, plugins,
 * telemetry, hosted web search) switched off.
 */
export function writeCodexConfig(home: string, baseUrl: string): void {
  writeFileSync(
    join(home, 'config.toml'),
    `model = "gpt-5.5"
model_provider = "nexa_fake"
check_for_update_on_startup = false
web_search = "disabled"

[analytics]
enabled = false

[feedback]
enabled = false

[features]
plugins = false

[otel]
exporter = "none"
trace_exporter = "none"
metrics_exporter = "none"

[model_providers.nexa_fake]
name = "Nexa fake"
base_url = "${baseUrl}/v1"
wire_api = "responses"
env_key = "NEXA_FAKE_OPENAI_KEY"
request_max_retries = 0
stream_max_retries = 0
`,
  );
}
