import type { ThreadMessage } from '@nexa/core';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, type Home, makeHome, nexa, nexaBin, startServer } from './harness.js';

/**
 * Messages are stored before they are acknowledged: a coordinator killed
 * while people post loses none that `nexa say` reported sent, and a watcher
 * resumed from the last seq it printed sees every message once, in order.
 */

let home: Home;
const daemons: Daemon[] = [];
beforeAll(async () => {
  home = await makeHome();
});
afterAll(async () => {
  for (const daemon of daemons) await daemon.stop('SIGKILL');
  await home.cleanup();
});

/** `nexa thread watch ID --json [--since SEQ]`, its messages parsed as they come. */
function watch(threadId: string, since?: number) {
  const child = execa(
    process.execPath,
    [
      nexaBin,
      'thread',
      'watch',
      threadId,
      '--json',
      ...(since === undefined ? [] : ['--since', String(since)]),
    ],
    { env: home.env, reject: false, stdin: 'ignore' },
  );
  const messages: ThreadMessage[] = [];
  let partial = '';
  const listeners = new Set<() => void>();
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) messages.push(JSON.parse(line) as ThreadMessage);
    for (const listener of listeners) listener();
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  return {
    child,
    messages,
    get stderr() {
      return stderr;
    },
    /** Resolves once a message with this seq or later was printed. */
    until(seq: number): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.some((m) => m.seq >= seq)) {
            listeners.delete(check);
            resolve();
          } else if (child.exitCode !== null) {
            listeners.delete(check);
            reject(new Error(`thread watch exited before seq ${seq}: ${stderr}`));
          }
        };
        listeners.add(check);
        void child.finally(check);
        check();
      });
    },
  };
}

const body = (n: number) => `durable [msg ${n}]`;

describe('messages through a coordinator SIGKILL', () => {
  it('loses no acknowledged message; a watch resumed with --since prints each once, in order', async () => {
    const first = await startServer(home);
    daemons.push(first.daemon);
    const port = new URL(first.url).port;
    home.env.NEXA_SERVER = first.url;
    const created = await nexa(home, ['threads', 'create', 'through a crash', '--json']);
    expect(created.exitCode, created.stderr).toBe(0);
    const threadId = (JSON.parse(created.stdout) as { id: string }).id;

    const before = watch(threadId);
    // A watch that lives through the restart by itself, as `nexa logs --follow` does.
    const throughout = watch(threadId);

    // People posting one message after another; each is acknowledged when `nexa say` exits 0.
    const acknowledged: number[] = [];
    const refused: string[] = [];
    let ackedAtRestart: number | null = null;
    let stop = false;
    const posting = (async () => {
      for (let n = 1; !stop; n++) {
        const said = await nexa(home, ['say', threadId, body(n)]);
        if (said.exitCode === 0) acknowledged.push(n);
        else refused.push(said.stderr.trim());
        // Enough after the restart too: then the loop ends.
        if (ackedAtRestart !== null && acknowledged.length - ackedAtRestart >= 5) stop = true;
      }
    })();

    while (acknowledged.length < 8) await new Promise((resolve) => setTimeout(resolve, 50));
    await before.until(5);
    first.daemon.signal('SIGKILL');
    await first.daemon.child;
    before.child.kill('SIGINT');
    await before.child;
    const lastPrinted = before.messages.at(-1)?.seq ?? 0;
    const second = await startServer(home, [], port); // same port and data dir
    daemons.push(second.daemon);
    ackedAtRestart = acknowledged.length;
    const after = watch(threadId, lastPrinted);
    await posting;

    const shown = await nexa(home, ['thread', 'show', threadId]);
    expect(shown.exitCode, shown.stderr).toBe(0);
    for (const n of acknowledged) expect(shown.stdout, `message ${n}`).toContain(body(n));
    expect(acknowledged.length).toBeGreaterThan(10);
    // Some posts met the dead coordinator and said so in one line.
    for (const line of refused) expect(line.split('\n')).toHaveLength(1);

    const stored = (
      JSON.parse((await nexa(home, ['thread', 'show', threadId, '--json'])).stdout) as {
        messages: ThreadMessage[];
      }
    ).messages;
    const lastSeq = stored.at(-1)?.seq ?? 0;
    expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
    await Promise.all([after.until(lastSeq), throughout.until(lastSeq)]);
    after.child.kill('SIGINT');
    throughout.child.kill('SIGINT');
    await Promise.all([after.child, throughout.child]);

    // Before the kill and after the resume together: every stored message once, in order.
    const resumed = [...before.messages, ...after.messages];
    expect(resumed.map((m) => m.seq)).toEqual(stored.map((m) => m.seq));
    expect(resumed.map((m) => m.body)).toEqual(stored.map((m) => m.body));
    expect(throughout.messages.map((m) => m.seq)).toEqual(stored.map((m) => m.seq));
  }, 120_000);
});
