import { describe, expect, it } from 'vitest';
import { nexa } from './harness.js';
import { crashableCoordinator } from './servedHome.js';
import { newThread, ThreadWatch, threadMessages } from './threads.js';

/**
 * Messages are stored before they are acknowledged: a coordinator killed
 * while people post loses none that `nexa say` reported sent, and a watcher
 * resumed from the last seq it printed sees every message once, in order.
 */

const coordinator = crashableCoordinator();
const home = coordinator.home;

const body = (n: number) => `durable [msg ${n}]`;

describe('messages through a coordinator SIGKILL', () => {
  it('loses no acknowledged message; a watch resumed with --since prints each once, in order', async () => {
    await coordinator.start();
    const threadId = await newThread(home, 'through a crash');

    const before = new ThreadWatch(home, threadId);
    // A watch that lives through the restart by itself, as `nexa logs --follow` does.
    const throughout = new ThreadWatch(home, threadId);

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
    await coordinator.kill();
    await before.stop('SIGINT');
    const lastPrinted = before.messages.at(-1)?.seq ?? 0;
    await coordinator.start(); // same port and data dir
    ackedAtRestart = acknowledged.length;
    const after = new ThreadWatch(home, threadId, lastPrinted);
    await posting;

    const shown = await nexa(home, ['thread', 'show', threadId]);
    expect(shown.exitCode, shown.stderr).toBe(0);
    for (const n of acknowledged) expect(shown.stdout, `message ${n}`).toContain(body(n));
    expect(acknowledged.length).toBeGreaterThan(10);
    // Some posts met the dead coordinator and said so in one line.
    for (const line of refused) expect(line.split('\n')).toHaveLength(1);

    const stored = await threadMessages(home, threadId);
    const lastSeq = stored.at(-1)?.seq ?? 0;
    expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
    await Promise.all([after.until(lastSeq), throughout.until(lastSeq)]);
    await Promise.all([after.stop('SIGINT'), throughout.stop('SIGINT')]);

    // Before the kill and after the resume together: every stored message once, in order.
    const resumed = [...before.messages, ...after.messages];
    expect(resumed.map((m) => m.seq)).toEqual(stored.map((m) => m.seq));
    expect(resumed.map((m) => m.body)).toEqual(stored.map((m) => m.body));
    expect(throughout.messages.map((m) => m.seq)).toEqual(stored.map((m) => m.seq));
  }, 120_000);
});
