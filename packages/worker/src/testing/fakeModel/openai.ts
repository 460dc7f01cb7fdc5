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

function handle(request: FakeRequest, response: ServerResponse): void {
  if (request.method === 'POST' && request.path.endsWith('/responses')) {
    const body = (request.body ?? {}) as ResponsesBody;
    const { prompt, toolResults } = conversation(body.input ?? []);
    sendSse(
      response,
      responseEvents(
        body,
        stepItem(
          body,
          nextStep(
            prompt,
            toolResults,
            (body.tools ?? []).flatMap((tool) => (tool.name ? [tool.name] : [])),
          ),
        ),
      ),
    );
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
