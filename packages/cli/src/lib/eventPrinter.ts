import { type StoredTaskEvent, visible } from '@nexa/core';

/** One line of what an agent or worker said, for Nexa's own remarks: controls shown escaped. */
const oneLine = (text: string, max = 200) => {
  const line = visible(text.replace(/[ \t\n]+/g, ' ').trim());
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/**
 * Prints a task's events for a person. Output goes where the task wrote it
 * and an agent's words go to stdout; everything else (tool calls, approval
 * requests and decisions, usage, Nexa's own remarks) goes to stderr, so
 * stdout stays what the task produced. When the task waits on an approval,
 * it says the exact command that answers it.
 */
export class EventPrinter {
  /** Requests logged but not decided yet: id → what they ask. */
  private readonly open = new Map<string, string>();

  constructor(
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {}

  print(event: StoredTaskEvent): void {
    switch (event.kind) {
      case 'output':
        (event.stream === 'stdout' ? this.out : this.err).write(event.data);
        break;
      case 'agent_message':
        if (event.role === 'assistant' && event.text.trim()) this.out.write(`${event.text.trimEnd()}\n`);
        break;
      case 'tool_call':
        this.err.write(`→ ${oneLine(event.tool)}: ${oneLine(event.title)}\n`);
        break;
      case 'tool_result':
        if (!event.ok) this.err.write(`  ✗ ${oneLine(event.output) || 'failed'}\n`);
        break;
      case 'approval_requested':
        this.open.set(event.approvalId, `${oneLine(event.tool)}: ${oneLine(event.action)}`);
        this.err.write(
          `nexa: approval ${event.approvalId} requested (${event.risk}): ${oneLine(event.tool)}: ${oneLine(event.action)}\n`,
        );
        break;
      case 'approval_decided': {
        this.open.delete(event.approvalId);
        const rule = event.rule ? ` [${event.rule}]` : '';
        const reason = event.reason && !event.reason.includes(event.rule ?? '\0') ? `: ${event.reason}` : '';
        this.err.write(
          `nexa: approval ${event.approvalId} ${event.status} by ${visible(`${event.decidedBy}${rule}${reason}`)}\n`,
        );
        break;
      }
      case 'usage': {
        const cost = event.costUsd === null ? '' : `, $${event.costUsd.toFixed(4)}`;
        this.err.write(`nexa: usage: ${event.inputTokens} tokens in, ${event.outputTokens} out${cost}\n`);
        break;
      }
      case 'error':
        this.err.write(`nexa: ${visible(event.message, { keepNewlines: true })}\n`);
        break;
      case 'status':
        if (event.status === 'queued' && event.reason) {
          this.err.write(`nexa: ${visible(event.reason)}; the task is queued again\n`);
        } else if (event.status === 'waiting_approval') {
          for (const id of this.open.keys()) {
            this.err.write(
              `nexa: waiting for approval; answer with: nexa approve ${id}   or: nexa deny ${id} --reason "..."\n`,
            );
          }
        }
        break;
      case 'egress':
        this.err.write(
          `nexa: refused a connection to ${visible(`${event.host}:${event.port}`)}: ${visible(event.reason)}\n`,
        );
        break;
      case 'artifact':
        break;
    }
  }
}
