import type { ThreadMessage } from '@nexa/core';
import { execa, type ResultPromise } from 'execa';
import { type Home, nexa, nexaBin } from './harness.js';

/** `nexa threads create TITLE [FLAGS]`; resolves with the new thread's id. */
export async function newThread(home: Home, title: string, ...flags: string[]): Promise<string> {
  const created = await nexa(home, ['threads', 'create', title, ...flags]);
  if (created.exitCode !== 0) throw new Error(`nexa threads create failed: ${created.stderr}`);
  return created.stdout.trim();
}

/** `nexa say THREAD TEXT [FLAGS]`; resolves with the new message's id. */
export async function say(home: Home, thread: string, text: string, ...flags: string[]): Promise<string> {
  const said = await nexa(home, ['say', thread, text, ...flags]);
  if (said.exitCode !== 0) throw new Error(`nexa say failed: ${said.stderr}`);
  return said.stdout.trim();
}

/** A thread's messages as `nexa thread show ID --json` gives them, oldest first. */
export async function threadMessages(home: Home, threadId: string): Promise<ThreadMessage[]> {
  const shown = await nexa(home, ['thread', 'show', threadId, '--json']);
  if (shown.exitCode !== 0) throw new Error(`nexa thread show ${threadId} --json: ${shown.stderr}`);
  return (JSON.parse(shown.stdout) as { messages: ThreadMessage[] }).messages;
}

/** `nexa thread watch ID --json [--since SEQ]` running, with every message it has printed so far. */
export class ThreadWatch {
  readonly child: ResultPromise;
  readonly messages: ThreadMessage[] = [];
  private partial = '';
  private errors = '';
  private listeners = new Set<() => void>();

  constructor(home: Home, threadId: string, since?: number) {
    this.child = execa(
      process.execPath,
      [
        nexaBin,
        'thread',
        'watch',
        threadId,
        '--json',
        ...(since === undefined ? [] : ['--since', String(since)]),
      ],
      { env: home.env, reject: false, stdin: 'ignore', buffer: false },
    );
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => {
      const lines = (this.partial + chunk).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.messages.push(JSON.parse(line) as ThreadMessage);
      for (const listener of this.listeners) listener();
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.errors += chunk;
    });
  }

  get stderr(): string {
    return this.errors;
  }

  /** Resolves once a message with this seq or later was printed; rejects if the watch exits first. */
  until(seq: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.messages.some((m) => m.seq >= seq)) {
          this.listeners.delete(check);
          resolve();
        } else if (this.child.exitCode !== null) {
          this.listeners.delete(check);
          reject(new Error(`thread watch exited before seq ${seq}: ${this.errors}`));
        }
      };
      this.listeners.add(check);
      void this.child.finally(check);
      check();
    });
  }

  /** Ends the watch with `signal` (SIGINT: as Ctrl-C does) and resolves with its exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | undefined> {
    this.child.kill(signal);
    return (await this.child).exitCode;
  }
}
