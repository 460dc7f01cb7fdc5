import { describe, expect, it } from 'vitest';
import { nexa } from './harness.js';
import { servedHome } from './servedHome.js';
import { newThread, say, ThreadWatch } from './threads.js';

const home = servedHome();

describe('threads', () => {
  it('thread show prints each reply under the message it answers, with authors', async () => {
    const thread = await newThread(home, 'Release plan');
    const a = await say(home, thread, 'ship on friday?', '--kind', 'request');
    const b = await say(home, thread, 'tests are red', '--reply-to', a);
    await say(home, thread, 'unrelated note');
    await say(home, thread, 'fixed now', '--reply-to', b);
    await say(home, thread, 'friday works', '--reply-to', a, '--kind', 'answer');

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
    const thread = await newThread(home, 'Watch me');
    for (const n of [1, 2, 3]) await say(home, thread, `message ${n}`);

    const first = new ThreadWatch(home, thread, 0);
    await first.until(3);
    for (const n of [4, 5]) await say(home, thread, `message ${n}`);
    await first.until(5);
    expect(await first.stop()).toBe(0);
    const lastSeen = Math.max(...first.messages.map((m) => m.seq));

    // Posted while nobody watches.
    for (const n of [6, 7, 8]) await say(home, thread, `message ${n}`);

    const second = new ThreadWatch(home, thread, lastSeen);
    await second.until(8);
    await say(home, thread, 'message 9');
    await second.until(9);
    expect(await second.stop()).toBe(0);

    expect(first.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(second.messages.map((m) => m.seq)).toEqual([6, 7, 8, 9]);
    expect([...first.messages, ...second.messages].map((m) => m.body)).toEqual(
      Array.from({ length: 9 }, (_, i) => `message ${i + 1}`),
    );
  });

  it('refuses a reply to a message of another thread, and a message over the size limit, in one line', async () => {
    const one = await newThread(home, 'One');
    const two = await newThread(home, 'Two');
    const inOne = await say(home, one, 'hello');
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
