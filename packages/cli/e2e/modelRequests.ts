import type { FakeModelServer } from '@nexa/worker/testing/fake-model';

/** One request an agent's turn made to the fake Anthropic API: its conversation as text, and the tools offered. */
export interface AgentTurn {
  messages: { role: string; text: string }[];
  tools: string[];
}

/** A message's content as text: its text blocks and tool results, in order. */
export const messageText = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content
          .map((block: { type?: string; text?: string; content?: unknown }) =>
            block.type === 'text'
              ? (block.text ?? '')
              : block.type === 'tool_result'
                ? messageText(block.content)
                : '',
          )
          .join('\n')
      : '';

/** The agents' turns in the fake API's request log, oldest first: the requests that offer tools. */
export function agentTurns(fake: FakeModelServer): AgentTurn[] {
  return fake.requests
    .filter((request) => request.path === '/v1/messages' && (request.body?.tools ?? []).length > 0)
    .map((request) => ({
      messages: ((request.body?.messages ?? []) as { role: string; content: unknown }[]).map((m) => ({
        role: m.role,
        text: messageText(m.content),
      })),
      tools: ((request.body?.tools ?? []) as { name: string }[]).map((tool) => tool.name),
    }));
}

/** The turns of the conversation whose first message (the task's prompt) holds `marker`. */
export const turnsOf = (fake: FakeModelServer, marker: string): AgentTurn[] =>
  agentTurns(fake).filter((turn) => turn.messages[0]?.text.includes(marker));
