import { describe, expect, it } from 'vitest';
import { makeApproval, makeTask } from '../testing/fixtures.js';
import { MAX_PINNED, reducer } from './reducer.js';
import { rowIds, selectedId, taskGroups } from './selectors.js';
import { initialState, scrolledBack, type TuiState } from './state.js';
import { parseTaskFilter } from './taskFilter.js';

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
});
