import { type MessageKind, type ThreadMessage, visible } from '@nexa/core';
import type { EventLineContext } from './eventLines.js';

const sgr = (codes: string) => (text: string) => `\u001b[${codes}m${text}\u001b[0m`;

/**
 * How a thread message stands apart from the task's output in its pane: a
 * marked, coloured head and an indented body. The colours are Nexa's; the
 * text is the author's, with every control shown escaped.
 */
const looks: Record<MessageKind, { mark: string; paint: (text: string) => string; verb: string }> = {
  message: { mark: '»', paint: sgr('1;35'), verb: 'says' },
  request: { mark: '?', paint: sgr('1;33'), verb: 'asks' },
  answer: { mark: '↳', paint: sgr('1;32'), verb: 'answers' },
};

/** A pane shows what people wrote to the task (prompt, follow-ups, answers) and the questions its agent asked; the agent's own posts are its output already. */
export function shownInPane(message: ThreadMessage): boolean {
  return message.author.kind === 'person' || message.kind === 'request';
}

/** A thread message as terminal text for a pane, ending in a newline. */
export function messageText(message: ThreadMessage, _ctx: EventLineContext): string {
  const look = looks[message.kind];
  const who = visible(message.author.name.replace(/\s+/g, ' '));
  const body = visible(message.body.trimEnd(), { keepNewlines: true, keepTabs: true }).replace(/\n/g, '\n  ');
  return `${look.paint(`${look.mark} ${who} ${look.verb}:`)} ${body}\n`;
}
