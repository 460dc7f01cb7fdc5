import type { StoredTaskEvent, TaskEventBody, ThreadMessage } from '@nexa/core';
import { afterEach, describe, expect, it } from 'vitest';
import { TaskTranscript } from './taskTranscript.js';
import { TerminalBuffer } from './terminalBuffer.js';

const buffers: TerminalBuffer[] = [];
afterEach(() => {
  for (const buffer of buffers.splice(0)) buffer.dispose();
});

function transcript(cols = 60, rows = 12, options: { expandTools?: boolean; keptChars?: number } = {}) {
  const buffer = new TerminalBuffer({ cols, rows });
  buffers.push(buffer);
  return new TaskTranscript(buffer, options);
}

let nextSeq = 1;
const event = (body: TaskEventBody, seq = nextSeq++): StoredTaskEvent => ({
  ...body,
  seq,
  at: 0,
  attempt: 1,
});
const screen = async (shown: TaskTranscript) => {
  await shown.buffer.flushed();
  return shown.buffer.visibleText().filter((line) => line !== '');
};

const agentRun = () => [
  event({ kind: 'agent_message', role: 'assistant', text: 'I will clean the build.' }),
  event({
    kind: 'tool_call',
    callId: 'c1',
    tool: 'Bash',
    title: 'run rm',
    input: { command: 'rm -rf build' },
  }),
  event({
    kind: 'approval_requested',
    approvalId: 'ap-1',
    tool: 'Bash',
    action: 'rm -rf build',
    risk: 'execute',
  }),
  event({
    kind: 'approval_decided',
    approvalId: 'ap-1',
    status: 'approved',
    decidedBy: 'alice',
    rule: null,
    reason: null,
  }),
  event({ kind: 'tool_result', callId: 'c1', ok: true, output: 'removed a\nremoved b\nremoved c\n' }),
  event({
    kind: 'usage',
    model: null,
    inputTokens: 10,
    outputTokens: 5,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: null,
  }),
  event({ kind: 'status', status: 'succeeded', exitCode: 0 }),
];

describe('TaskTranscript', () => {
  it('shows an agent run: messages, collapsed tool calls, approvals inline, the final status', async () => {
    const shown = transcript();
    shown.append(agentRun());
    expect(await screen(shown)).toEqual([
      'I will clean the build.',
      '▸ Bash  rm -rf build',
      '⚠ needs approval: Bash rm -rf build (execute, ap-1)',
      '✓ approved by alice',
      '  ↳ 3 lines',
      '■ succeeded (exit 0)',
    ]);
  });

  it('highlights an approval request, and a denial with its reason', async () => {
    const shown = transcript();
    shown.append([
      event({
        kind: 'approval_requested',
        approvalId: 'ap-2',
        tool: 'Bash',
        action: 'curl x | sh',
        risk: 'network',
      }),
      event({
        kind: 'approval_decided',
        approvalId: 'ap-2',
        status: 'denied',
        decidedBy: 'bob',
        rule: null,
        reason: 'no network',
      }),
    ]);
    await shown.buffer.flushed();
    const [request, denial] = shown.buffer.visibleRows();
    expect(request?.[0]).toMatchObject({
      text: '⚠ needs approval: Bash curl x | sh',
      fg: 'yellow',
      bold: true,
    });
    expect(denial?.[0]).toMatchObject({ text: '✗ denied: no network', fg: 'red' });
    expect(denial?.map((run) => run.text).join('')).toBe('✗ denied: no network (by bob)');
  });

  it('expands tool input and results on demand, rebuilt from the kept events', async () => {
    const shown = transcript(60, 20);
    shown.append(agentRun());
    await screen(shown);
    shown.setExpandTools(true);
    const expanded = await screen(shown);
    expect(expanded).toContain('▸ Bash  run rm');
    expect(expanded).toContain('      "command": "rm -rf build"');
    expect(expanded).toContain('  ↳ removed a');
    expect(expanded).toContain('    removed c');
    expect(expanded.filter((line) => line === 'I will clean the build.')).toHaveLength(1);
    shown.setExpandTools(false);
    expect(await screen(shown)).toContain('  ↳ 3 lines');
  });

  it('cuts a collapsed tool call to the pane width', async () => {
    const shown = transcript(30, 5);
    shown.append([
      event({
        kind: 'tool_call',
        callId: 'c',
        tool: 'Bash',
        title: 't',
        input: { command: 'x'.repeat(100) },
      }),
    ]);
    const lines = await screen(shown);
    expect(lines).toEqual([`▸ Bash  ${'x'.repeat(21)}…`]);
  });

  it('passes output through raw (colours, carriage returns) and starts its own lines on a fresh row', async () => {
    const shown = transcript();
    shown.append([
      event({ kind: 'output', stream: 'stdout', data: '\u001b[32mgreen\u001b[0m\n' }),
      event({ kind: 'output', stream: 'stdout', data: '10%\r50%\r100%' }),
      event({ kind: 'error', message: 'disk full' }),
    ]);
    await shown.buffer.flushed();
    expect(shown.buffer.visibleRows()[0]).toEqual([{ text: 'green', fg: 'green' }]);
    expect(await screen(shown)).toEqual(['green', '100%', 'error: disk full']);
  });

  it('escapes terminal controls in what an agent wrote', async () => {
    const shown = transcript();
    shown.append([
      event({ kind: 'agent_message', role: 'assistant', text: 'safe\u001b[2J\u001b[31mred?\rhidden' }),
      event({
        kind: 'tool_call',
        callId: 'c',
        tool: 'Bash',
        title: 't',
        input: { command: 'ls\u001b[2K\rrm -rf /' },
      }),
    ]);
    await shown.buffer.flushed();
    expect(await screen(shown)).toEqual([
      'safe\\x1b[2J\\x1b[31mred?\\rhidden',
      '▸ Bash  ls\\x1b[2K\\rrm -rf /',
    ]);
    expect(shown.buffer.visibleRows()[0]).toEqual([{ text: 'safe\\x1b[2J\\x1b[31mred?\\rhidden' }]);
  });

  it('shows each event once when a resumed subscription repeats some', async () => {
    const shown = transcript();
    const first = event({ kind: 'output', stream: 'stdout', data: 'one\n' });
    const second = event({ kind: 'output', stream: 'stdout', data: 'two\n' });
    shown.append([first, second]);
    shown.append([second, event({ kind: 'output', stream: 'stdout', data: 'three\n' })]);
    expect(await screen(shown)).toEqual(['one', 'two', 'three']);
    expect(shown.lastSeq).toBe(second.seq + 1);
  });

  it('keeps a bounded number of events and says so when a rebuild lacks the oldest', async () => {
    const shown = transcript(40, 6, { keptChars: 1000 });
    shown.append(
      Array.from({ length: 100 }, (_, i) => event({ kind: 'output', stream: 'stdout', data: `line ${i}\n` })),
    );
    shown.setExpandTools(true);
    const lines = await screen(shown);
    expect(lines.at(-1)).toBe('line 99');
    shown.buffer.resize(40, 100);
    const all = shown.buffer.visibleText(shown.buffer.maxScrollBack).filter((line) => line !== '');
    expect(all[0]).toBe('… earlier events are no longer kept');
    expect(all).not.toContain('line 0');
    expect(all.length).toBeLessThan(20);
  });

  it("shows people's messages and the agent's questions inline, apart from output, in the order they happened", async () => {
    const shown = transcript();
    const message = (seq: number, at: number, fields: Partial<ThreadMessage>): ThreadMessage => ({
      id: `m-${seq}`,
      threadId: 't-1',
      project: 'default',
      seq,
      author: { kind: 'person', name: 'alice', taskId: null, workerName: null },
      kind: 'message',
      body: 'hi',
      replyTo: null,
      createdAt: new Date(at).toISOString(),
      ...fields,
    });
    const out = (seq: number, at: number, data: string): StoredTaskEvent =>
      ({ kind: 'output', stream: 'stdout', data, seq, at, attempt: 1 }) as StoredTaskEvent;
    shown.appendItems([
      { event: out(1, 1000, 'building\n') },
      { message: message(1, 2000, { body: 'use \u001b[2Jvite' }) },
      { event: out(2, 3000, 'built\n') },
      {
        message: message(2, 4000, {
          author: { kind: 'agent', name: 'claude', taskId: 't-1', workerName: 'w1' },
          body: 'progress note (its own output already)',
        }),
      },
      {
        message: message(3, 5000, {
          author: { kind: 'agent', name: 'claude', taskId: 't-1', workerName: 'w1' },
          kind: 'request',
          body: 'drop node 18?',
        }),
      },
    ]);
    expect(await screen(shown)).toEqual([
      'building',
      '» alice says: use \\x1b[2Jvite',
      'built',
      '? claude asks: drop node 18?',
    ]);
    const [, said] = shown.buffer.visibleRows();
    expect(said?.[0]).toMatchObject({ text: '» alice says:', fg: 'magenta', bold: true });
    // The thread caught up after the events: an older answer goes where it happened; a repeat is ignored.
    shown.appendItems([
      { message: message(4, 3500, { kind: 'answer', body: 'yes' }) },
      { message: message(3, 5000, { kind: 'request', body: 'again' }) },
    ]);
    expect(await screen(shown)).toEqual([
      'building',
      '» alice says: use \\x1b[2Jvite',
      'built',
      '↳ alice answers: yes',
      '? claude asks: drop node 18?',
    ]);
    expect(shown.lastMessageSeq).toBe(4);
  });
});
