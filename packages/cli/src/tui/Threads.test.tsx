import type { Thread, ThreadMessage } from '@nexa/core';
import { describe, expect, it } from 'vitest';
import { expectFrame } from './testing/expectFrame.js';
import {
  authors,
  makeApproval,
  makeMessage,
  makeTask,
  makeThread,
  makeWorker,
  NOW,
} from './testing/fixtures.js';
import { drawAtNow, frameSizes, keys } from './testing/frameTest.js';
import { recordingActions, renderTui } from './testing/renderTui.js';

drawAtNow();

/** A task's thread where a person, the agent and an answer to its question reply to each other, and two more threads. */
function conversation() {
  const task = makeTask({ agent: 'claude', prompt: 'migrate the build to vite', command: [] });
  const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();
  const taskThread = makeThread({
    id: task.id,
    taskId: task.id,
    title: 'migrate the build to vite',
    messages: 5,
    lastMessageAt: minutesAgo(1),
  });
  const prompt = makeMessage({
    threadId: task.id,
    seq: 1,
    body: 'migrate the build to vite',
    createdAt: minutesAgo(9),
  });
  const plan = makeMessage({
    threadId: task.id,
    seq: 2,
    author: authors.agent('claude', task.id, 'build-1'),
    body: 'Plan: replace webpack.config.js with vite.config.ts,\nthen fix the imports.\nThen run the tests.\nThen commit.',
    replyTo: prompt.id,
    createdAt: minutesAgo(8),
  });
  const followUp = makeMessage({
    threadId: task.id,
    seq: 3,
    author: authors.person('bob'),
    body: 'keep the legacy entry point \u001b[31mworking\u001b[0m',
    replyTo: plan.id,
    createdAt: minutesAgo(5),
  });
  const question = makeMessage({
    threadId: task.id,
    seq: 4,
    author: authors.agent('claude', task.id, 'build-1'),
    kind: 'request',
    body: 'Should I drop Node 18 support?',
    replyTo: null,
    createdAt: minutesAgo(3),
  });
  const answer = makeMessage({
    threadId: task.id,
    seq: 5,
    kind: 'answer',
    body: 'yes',
    replyTo: question.id,
    createdAt: minutesAgo(1),
  });
  const free = makeThread({ title: 'release plan for 2.0', messages: 12, lastMessageAt: minutesAgo(30) });
  const old = makeThread({ title: 'flaky e2e on gpu-box', messages: 3, lastMessageAt: minutesAgo(180) });
  const threads: Thread[] = [old, taskThread, free];
  const messages: ThreadMessage[] = [prompt, plan, followUp, question, answer];
  return {
    task,
    taskThread,
    messages,
    state: {
      view: 'threads' as const,
      tasks: { [task.id]: task },
      threads: Object.fromEntries(threads.map((t) => [t.id, t])),
      threadMessages: { [task.id]: messages },
    },
  };
}

describe.each(frameSizes)('the Threads view at $cols×$rows', (size) => {
  it('lists threads newest activity first, and the open one as a tree with authors, kinds and times', async () => {
    const { state } = conversation();
    const ui = await renderTui(state, size);
    const rows = ui.lines;
    const order = ['migrate the build', 'release plan', 'flaky e2e'].map((title) =>
      rows.findIndex((line) => line.includes(title) && !line.includes('nexa thread show')),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(ui.frame).toContain('● alice · message · 9m ago');
    expect(ui.frame).toMatch(/ {2}↳ claude t-\w+ on build-1 · message · 8m ago/);
    expect(ui.frame).toMatch(/ {4}↳ bob · message · 5m ago/);
    expect(ui.frame).toMatch(/ {2}↳ alice · answer · 1m ago/);
    // A message's own escapes are shown, never obeyed.
    expect(ui.frame).toContain('\\x1b[31mworking');
    expect(ui.frame).toContain('4 Threads');
    await expectFrame('threads', ui, size);
    ui.unmount();
  });

  it('Enter moves the cursor into the thread; the selected message shows in full', async () => {
    const { state } = conversation();
    const ui = await renderTui(state, size);
    await ui.stdin.write(keys.enter);
    await ui.stdin.write('k');
    await ui.stdin.write('k');
    await ui.stdin.write('k');
    expect(ui.frame).toContain('Then commit.');
    expect(ui.lines.at(-2)).toContain('R reply');
    await expectFrame('thread-open', ui, size);
    ui.unmount();
  });
});

describe('replying from the TUI', () => {
  const size = { cols: 80, rows: 24 };

  it('R replies to the selected message, n says something new, with the text typed', async () => {
    const { state, taskThread, messages } = conversation();
    const actions = recordingActions();
    const ui = await renderTui(state, size, { actions });
    await ui.stdin.write(keys.enter);
    await ui.stdin.write('k'); // from the newest (the answer) up to bob's message
    await ui.stdin.write('k');
    await ui.stdin.write('R');
    expect(ui.frame).toContain('Reply to bob in');
    expect(ui.frame).toContain(`--reply-to ${messages[2]!.id}`);
    await ui.stdin.write('sure, kept');
    await ui.stdin.write(keys.enter);
    expect(actions.calls).toContain(`post ${taskThread.id} reply-to ${messages[2]!.id}: sure, kept`);
    expect(ui.frame).not.toContain('Reply to bob');
    await ui.stdin.write('n');
    await ui.stdin.write('also bump the version');
    await ui.stdin.write(keys.enter);
    expect(actions.calls).toContain(`post ${taskThread.id}: also bump the version`);
    ui.unmount();
  });

  it('text and Enter that arrive together (a paste, a slow link) send the text', async () => {
    const { task } = conversation();
    const actions = recordingActions();
    const ui = await renderTui({ tasks: { [task.id]: task } }, size, { actions });
    await ui.stdin.write('m');
    await ui.stdin.writeTogether('run the linter', '\r');
    expect(actions.calls).toEqual([`post ${task.id}: run the linter`]);
    await ui.stdin.write('m');
    await ui.stdin.write('then the tests\r');
    expect(actions.calls).toEqual([`post ${task.id}: run the linter`, `post ${task.id}: then the tests`]);
    // A pasted block is one line of text, not a message per line.
    await ui.stdin.write('m');
    await ui.stdin.write('line one\rline two');
    expect(ui.frame).toContain('line one line two');
    expect(actions.calls).toHaveLength(2);
    ui.unmount();
  });

  it('an empty reply is refused in place, and Esc leaves without sending', async () => {
    const { state } = conversation();
    const actions = recordingActions();
    const ui = await renderTui(state, size, { actions });
    await ui.stdin.write('R');
    await ui.stdin.write(keys.enter);
    expect(ui.frame).toContain('type a message first');
    await ui.stdin.write(keys.escape);
    expect(actions.calls).toEqual([]);
    expect(ui.frame).not.toContain('Reply to');
    ui.unmount();
  });

  it("m on a task sends a follow-up to its agent, in the task's thread", async () => {
    const { task } = conversation();
    const actions = recordingActions();
    const ui = await renderTui({ tasks: { [task.id]: task } }, size, { actions });
    await ui.stdin.write('m');
    expect(ui.frame).toContain(`nexa say ${task.id} "text"`);
    expect(ui.frame).toContain('the agent gets it as its next turn');
    await ui.stdin.write('now run the linter');
    await ui.stdin.write(keys.enter);
    expect(actions.calls).toEqual([`post ${task.id}: now run the linter`]);
    ui.unmount();
  });

  it('a question an agent asked is answered with text, not approved or denied', async () => {
    const task = makeTask({ agent: 'claude', prompt: 'ship it', command: [], status: 'waiting_approval' });
    const question = makeApproval({
      taskId: task.id,
      tool: 'ask_human',
      action: 'Which region should the staging deploy go to?',
      command: undefined,
      risk: 'read',
      question: true,
    });
    const actions = recordingActions();
    const ui = await renderTui(
      { view: 'approvals', tasks: { [task.id]: task }, approvals: { [question.id]: question } },
      size,
      { actions },
    );
    expect(ui.frame).toContain('? claude asks:');
    expect(ui.frame).toContain('Which region should the staging deploy go to?');
    expect(ui.frame).toContain(`nexa answer ${question.id} "text"`);
    expect(ui.lines.at(-2)).toMatch(/^a answer {2}\? help/);
    await expectFrame('approval-question', ui, size);
    await ui.stdin.write('d');
    expect(ui.frame).toContain('a question is answered with text');
    await ui.stdin.write('a');
    await ui.stdin.write('eu-west-1');
    await ui.stdin.write(keys.enter);
    expect(actions.calls).toEqual([`answer ${question.id}: eu-west-1`]);
    ui.unmount();
  });

  it('the Workers view shows who is on line, with last seen', async () => {
    const ui = await renderTui(
      {
        view: 'workers',
        workers: [makeWorker()],
        presence: [
          { kind: 'person', name: 'alice', detail: 'tui', project: null, online: true, lastSeenAt: null },
          {
            kind: 'person',
            name: 'bob',
            detail: 'cli',
            project: null,
            online: false,
            lastSeenAt: new Date(NOW - 300_000).toISOString(),
          },
          {
            kind: 'worker',
            name: 'build-1',
            detail: 'online',
            project: null,
            online: true,
            lastSeenAt: null,
          },
          {
            kind: 'agent',
            name: 't-1',
            detail: 'claude on build-1',
            project: 'default',
            online: true,
            lastSeenAt: null,
          },
        ],
      },
      size,
    );
    expect(ui.frame).toContain('People (nexa who): alice tui on line · bob cli seen 5m ago');
    expect(ui.frame).toContain('Agents running: 1');
    await expectFrame('workers-presence', ui, size);
    ui.unmount();
  });
});
