import type { ThreadMessage } from '@nexa/core';
import { describe, expect, it } from 'vitest';
import { authorText, threadTree } from './thread.js';

const now = Date.parse('2025-01-01T00:10:00Z');
function message(seq: number, replyTo: string | null, body: string, name = 'alice'): ThreadMessage {
  return {
    id: `m-${seq}`,
    threadId: 'h-1',
    project: 'default',
    seq,
    author: { kind: 'person', name, taskId: null, workerName: null },
    kind: 'message',
    body,
    replyTo,
    createdAt: '2025-01-01T00:05:00Z',
  };
}

describe('threadTree', () => {
  it('puts each reply under the message it answers, indented by depth, siblings in order', () => {
    const lines = threadTree(
      [
        message(1, null, 'first'),
        message(2, null, 'second'),
        message(3, 'm-1', 'reply to first'),
        message(4, 'm-3', 'reply to the reply'),
        message(5, 'm-1', 'another reply to first'),
      ],
      now,
    );
    expect(lines).toEqual([
      'm-1  #1  alice  5m ago',
      '    first',
      '  m-3  #3  alice  5m ago',
      '      reply to first',
      '    m-4  #4  alice  5m ago',
      '        reply to the reply',
      '  m-5  #5  alice  5m ago',
      '      another reply to first',
      'm-2  #2  alice  5m ago',
      '    second',
    ]);
  });

  it('escapes terminal controls in bodies and names, and keeps every body line indented', () => {
    const lines = threadTree([message(1, null, 'ok\n\u001b[2Jgone', 'ev\u001b[31mil')], now);
    expect(lines.join('\n')).not.toContain('\u001b');
    expect(lines[2]?.startsWith('    ')).toBe(true);
  });

  it('shows a reply whose parent is not listed at the top level', () => {
    expect(threadTree([message(7, 'm-3', 'late')], now)[0]).toBe('m-7  #7  alice  5m ago');
  });
});

describe('authorText', () => {
  it('names an agent with its task and worker', () => {
    expect(authorText({ kind: 'agent', name: 'claude', taskId: 't-1', workerName: 'w1' })).toBe(
      'claude (t-1 on w1)',
    );
  });
});
