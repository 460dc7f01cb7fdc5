import type { ThreadMessage } from '@nexa/core';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, type Home, makeHome, nexa, nexaBin, startServer } from './harness.js';

let home: Home;
let server: Daemon;
beforeAll(async () => {
  home = await makeHome();
  ({ daemon: server } = await startServer(home));
});
afterAll(async () => {
  await server?.stop();
  await home?.cleanup();
});

async function say(thread: string, text: string, ...flags: string[]): Promise<string> {
  const said = await nexa(home, ['say', thread, text, ...flags]);
  if (said.exitCode !== 0) throw new Error(`nexa say failed: ${said.stderr}`);
  return said.stdout.trim();
}

async function newThread(title: string): Promise<string> {
  const created = await nexa(home, ['threads', 'create', title]);
  if (created.exitCode !== 0) throw new Error(`nexa threads create failed: ${created.stderr}`);
  return created.stdout.trim();
}

/** `nexa thread watch --json` running, with every message it has printed so far. */
class Watcher {
  readonly child: ResultPromise;
  readonly messages: ThreadMessage[] = [];
  private buffered = '';
  private waiters: (() => void)[] = [];

  constructor(thread: string, since: number) {
    this.child = execa(
      process.execPath,
      [nexaBin, 'thread', 'watch', thread, '--since', String(since), '--json'],
      {
        env: home.env,
        reject: false,
        stdin: 'ignore',
        buffer: false,
      },
    );
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => {
      this.buffered += chunk;
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.messages.push(JSON.parse(line));
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves once a message with this seq has been printed. */
  async seen(seq: number): Promise<void> {
    while (!this.messages.some((m) => m.seq === seq)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async stop(): Promise<number | undefined> {
    this.child.kill('SIGTERM');
    return (await this.child).exitCode;
  }
}

describe('threads', () => {
  it('thread show prints each reply under the message it answers, with authors', async () => {
    const thread = await newThread('Release plan');
    const a = await say(thread, 'ship on friday?', '--kind', 'request');
    const b = await say(thread, 'tests are red', '--reply-to', a);
    await say(thread, 'unrelated note');
    await say(thread, 'fixed now', '--reply-to', b);
    await say(thread, 'friday works', '--reply-to', a, '--kind', 'answer');

    const shown = await nexa(home, ['thread', 'show', thread]);
    expect(shown.exitCode).toBe(0);
    const lines = shown.stdout.trimEnd().split('\n');
    expect(lines[0]).toContain('Release plan');
    // Bodies in tree order, each indented four past its header, headers two per depth.
    const bodies = lines
      .filter((line) => /^\s+\S/.test(line) && !/ #\d+ /.test(line))
      .map((l) => l.trimEnd());
    expect(bodies).toEqual([
      '    ship on friday?',
      '      tests are red',
      '        fixed now',
      '      friday works',
      '    unrelated note',
    ]);
    const headers = lines.filter((line) => / #\d+ /.test(line));
    expect(headers[0]).toMatch(/^m-\S+ {2}#1 {2}\S+ .*\[request\]$/);
    expect(headers[1]).toMatch(/^ {2}m-\S+ {2}#2 /);
    expect(headers[4]).toMatch(/^m-\S+ {2}#3 /);
    // The author is the admin token's subject, the same on every message.
    const author = headers[0]?.split(/\s{2,}/)[2];
    expect(author).toBeTruthy();

    const listed = JSON.parse((await nexa(home, ['threads', 'list', '--json'])).stdout);
    expect(listed).toContainEqual(
      expect.objectContaining({ id: thread, title: 'Release plan', messages: 5 }),
    );
  });

  it('thread watch resumes with --since: no gap and no duplicate', async () => {
    const thread = await newThread('Watch me');
    for (const n of [1, 2, 3]) await say(thread, `message ${n}`);

    const first = new Watcher(thread, 0);
    await first.seen(3);
    for (const n of [4, 5]) await say(thread, `message ${n}`);
    await first.seen(5);
    expect(await first.stop()).toBe(0);
    const lastSeen = Math.max(...first.messages.map((m) => m.seq));

    // Posted while nobody watches.
    for (const n of [6, 7, 8]) await say(thread, `message ${n}`);

    const second = new Watcher(thread, lastSeen);
    await second.seen(8);
    await say(thread, 'message 9');
    await second.seen(9);
    expect(await second.stop()).toBe(0);

    expect(first.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(second.messages.map((m) => m.seq)).toEqual([6, 7, 8, 9]);
    expect([...first.messages, ...second.messages].map((m) => m.body)).toEqual(
      Array.from({ length: 9 }, (_, i) => `message ${i + 1}`),
    );
  });

  it('refuses a reply to a message of another thread, and a message over the size limit, in one line', async () => {
    const one = await newThread('One');
    const two = await newThread('Two');
    const inOne = await say(one, 'hello');
    const wrong = await nexa(home, ['say', two, 'reply', '--reply-to', inOne]);
    expect(wrong.exitCode).toBe(125);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    const huge = await nexa(home, ['say', one, 'x'.repeat(70 * 1024)]);
    expect(huge.exitCode).toBe(125);
    expect(huge.stderr).toMatch(/longer than the limit/);
  });

  it('who lists the people online and the workers', async () => {
    const who = await nexa(home, ['who', '--json']);
    expect(who.exitCode).toBe(0);
    expect(Array.isArray(JSON.parse(who.stdout))).toBe(true);
  });
});
