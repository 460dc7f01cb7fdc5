import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export interface JsonLineHandlers {
  /** One parsed line; the next line waits until a returned promise settles (back-pressure). */
  onMessage(message: unknown): void | Promise<void>;
  /** A line that is not JSON: reported, never fatal. */
  onMalformed(line: string, problem: string): void;
}

/** Reads newline-delimited JSON from `stream` until it ends; blank lines are skipped. */
export async function readJsonLines(stream: Readable, handlers: JsonLineHandlers): Promise<void> {
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch (error) {
      handlers.onMalformed(line, error instanceof Error ? error.message : String(error));
      continue;
    }
    await handlers.onMessage(message);
  }
}

/** Writes one message as a line; false when the stream is already closed (the process has gone). */
export function writeJsonLine(stream: Writable, message: unknown): boolean {
  if (stream.writableEnded || stream.destroyed) return false;
  stream.write(`${JSON.stringify(message)}\n`);
  return true;
}
