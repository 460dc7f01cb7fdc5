import { describe, expect, it } from 'vitest';
import { authors, makeApproval, makeMessage, makeTask, makeThread } from '../testing/fixtures.js';
import { MAX_PINNED, MESSAGES_KEPT, reducer } from './reducer.js';
import { rowIds, selectedId, taskGroups } from './selectors.js';
import { initialState, scrolledBack, type TuiState } from './state.js';
import { parseTaskFilter } from './taskFilter.js';
import { openThreadId, selectedMessageId, threadList, threadTree } from './threadSelectors.js';

const start = (patch: Partial<TuiState> = {}): TuiState => ({
  ...initialState('http://127.0.0.1:7420'),
  ...patch,
});
const byId = <T extends { id: string }>(items: T[]) => Object.fromEntries(items.map((i) => [i.id, i]));

describe('the TUI store', () => {
  it('a scrolled-back pane stays on the same lines while output arrives; G follows again', () => {
    let state = reducer(start(), { type: 'scroll', taskId: 't-1', by: 10, max: 100 });
    expect(scrolledBack(state.scrollBack['t-1'], 100)).toBe(10);
    // 30 more rows of output arrived: the view is now 40 rows up from the bottom, on the same lines.
    expect(scrolledBack(state.scrollBack['t-1'], 130)).toBe(40);
    state = reducer(state, { type: 'scroll', taskId: 't-1', by: -5, max: 130 });
    expect(scrolledBack(state.scrollBack['t-1'], 130)).toBe(35);
    state = reducer(state, { type: 'scrollEdge', taskId: 't-1', edge: 'bottom', max: 130 });
    expect(scrolledBack(state.scrollBack['t-1'], 500)).toBe(0);
  });

  it('keeps the selection on the same task when rows move, and moves within bounds', () => {
    const [a, b, c] = [makeTask(), makeTask(), makeTask()];
    let state = start({ tasks: byId([a!, b!, c!]) });
    state = reducer(state, { type: 'moveSelection', by: 1 });
    expect(selectedId(state)).toBe(b!.id);
    // a new task that sorts first does not move the cursor off b
    const first = makeTask({ status: 'waiting_approval' });
    state = reducer(state, { type: 'tasksChanged', tasks: [first] });
    expect(selectedId(state)).toBe(b!.id);
    state = reducer(state, { type: 'moveSelection', by: 99 });
    expect(selectedId(state)).toBe(rowIds(state, 'tasks').at(-1));
  });

  it('the cursor stays on the task it shows when a new one sorts above it, before any key', () => {
    const running = makeTask();
    let state = reducer(start(), { type: 'tasksSnapshot', tasks: [running] });
    expect(selectedId(state)).toBe(running.id);
    const asking = makeTask({ status: 'waiting_approval' });
    state = reducer(state, { type: 'tasksChanged', tasks: [asking] });
    expect(rowIds(state, 'tasks')[0]).toBe(asking.id);
    expect(selectedId(state)).toBe(running.id);
  });

  it(`pins at most ${MAX_PINNED} panes`, () => {
    const tasks = Array.from({ length: 5 }, () => makeTask());
    let state = start({ tasks: byId(tasks) });
    for (let i = 0; i < 5; i++) {
      state = reducer(state, { type: 'togglePin' });
      state = reducer(state, { type: 'moveSelection', by: 1 });
    }
    expect(state.pinned).toHaveLength(MAX_PINNED);
    expect(state.flash?.tone).toBe('error');
  });

  it('after an answer the next pending request is selected, oldest first', () => {
    const older = makeApproval({ createdAt: '2026-11-26T11:00:00.000Z' });
    const newer = makeApproval({ createdAt: '2026-11-26T11:30:00.000Z' });
    let state = start({ view: 'approvals', approvals: byId([newer, older]) });
    expect(selectedId(state)).toBe(older.id);
    state = reducer(state, { type: 'approvalAnswered', id: older.id, approved: true });
    expect(selectedId(state)).toBe(newer.id);
    expect(state.approvals[older.id]?.status).toBe('approved');
  });

  it('keeps a bounded number of finished tasks however long it runs', () => {
    let state = start();
    for (let i = 0; i < 500; i++) {
      const finishedAt = new Date(Date.parse('2026-11-26T00:00:00Z') + i * 1000).toISOString();
      state = reducer(state, {
        type: 'tasksChanged',
        tasks: [makeTask({ status: 'succeeded', finishedAt })],
      });
    }
    expect(Object.keys(state.tasks).length).toBeLessThanOrEqual(100);
    expect(taskGroups(state).find((g) => g.title === 'Finished')?.tasks[0]?.finishedAt).toBe(
      new Date(Date.parse('2026-11-26T00:00:00Z') + 499 * 1000).toISOString(),
    );
  });

  it('parses filters: status, agent, worker, label and free text', () => {
    expect(parseTaskFilter('status:run agent:claude worker:gpu-1 label:team=web flaky TEST')).toEqual({
      raw: 'status:run agent:claude worker:gpu-1 label:team=web flaky TEST',
      status: 'run',
      agent: 'claude',
      worker: 'gpu-1',
      label: { key: 'team', value: 'web' },
      text: 'flaky test',
    });
  });

  it('threads: newest activity first; a message moves its thread up; a resumed watch adds no duplicate', () => {
    const older = makeThread({ lastMessageAt: '2026-11-26T10:00:00.000Z', messages: 1 });
    const newer = makeThread({ lastMessageAt: '2026-11-26T11:00:00.000Z', messages: 1 });
    let state = reducer(start({ view: 'threads' }), { type: 'threadsSnapshot', threads: [older, newer] });
    expect(threadList(state).map((t) => t.id)).toEqual([newer.id, older.id]);
    expect(openThreadId(state)).toBe(newer.id);
    const reply = makeMessage({ threadId: older.id, seq: 2, createdAt: '2026-11-26T11:30:00.000Z' });
    state = reducer(state, { type: 'threadMessages', threadId: older.id, messages: [reply] });
    state = reducer(state, { type: 'threadMessages', threadId: older.id, messages: [reply] });
    expect(state.threadMessages[older.id]).toHaveLength(1);
    expect(threadList(state).map((t) => t.id)).toEqual([older.id, newer.id]);
    expect(state.threads[older.id]?.messages).toBe(2);
  });

  it('keeps the newest messages of a long thread, and R answers the newest until the person moves', () => {
    const thread = makeThread();
    const messages = Array.from({ length: MESSAGES_KEPT + 20 }, (_, i) =>
      makeMessage({ threadId: thread.id, seq: i + 1 }),
    );
    let state = reducer(start({ view: 'threads', threads: { [thread.id]: thread } }), {
      type: 'threadMessages',
      threadId: thread.id,
      messages,
    });
    expect(state.threadMessages[thread.id]).toHaveLength(MESSAGES_KEPT);
    expect(selectedMessageId(state)).toBe(messages.at(-1)?.id);
    state = reducer(state, { type: 'focusThread', focus: 'messages' });
    state = reducer(state, { type: 'moveSelection', by: -1 });
    expect(selectedMessageId(state)).toBe(messages.at(-2)?.id);
    state = reducer(state, { type: 'forgetThread', threadId: thread.id });
    expect(state.threadMessages[thread.id]).toBeUndefined();
  });

  it('a thread is a tree by reply: replies under what they answer, in the order written; orphans are roots', () => {
    const a = makeMessage({ threadId: 'h-1', seq: 1 });
    const b = makeMessage({
      threadId: 'h-1',
      seq: 2,
      replyTo: a.id,
      author: authors.agent('claude', 't-1', 'w1'),
    });
    const c = makeMessage({ threadId: 'h-1', seq: 3 });
    const d = makeMessage({ threadId: 'h-1', seq: 4, replyTo: b.id });
    const e = makeMessage({ threadId: 'h-1', seq: 5, replyTo: a.id });
    const orphan = makeMessage({ threadId: 'h-1', seq: 6, replyTo: 'm-gone' });
    expect(threadTree([a, b, c, d, e, orphan]).map((row) => [row.message.seq, row.depth])).toEqual([
      [1, 0],
      [2, 1],
      [4, 2],
      [5, 1],
      [3, 0],
      [6, 0],
    ]);
  });
});
