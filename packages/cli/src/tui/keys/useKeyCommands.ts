import { useInput } from 'ink';
import { shortId } from '../components/cells.js';
import type { PaneSources } from '../feeds/paneSources.js';
import type { TuiActions } from '../store/actions.js';
import { type Action, reducer } from '../store/reducer.js';
import { reportCall } from '../store/reportCall.js';
import { useActions, useDispatch, useTuiState } from '../store/StoreContext.js';
import {
  counts,
  isQuestion,
  selectedId,
  selectedTask,
  selectedWorker,
  visiblePaneIds,
} from '../store/selectors.js';
import type { TuiState } from '../store/state.js';
import { openThreadId, selectedMessageId } from '../store/threadSelectors.js';
import { commandFor, type KeyCommand } from './keyBindings.js';

/** Overlays that read typed text take every key themselves. */
const typingOverlays = new Set(['newTask', 'filter', 'denyReason', 'diff', 'help', 'compose', 'answer']);

/** The pane the scroll keys move: the selected task's when it has one, else the first pinned. */
function focusedPane(state: TuiState): string | undefined {
  const panes = visiblePaneIds(state);
  const selected = selectedId(state, 'tasks');
  return selected && panes.includes(selected) ? selected : panes[0];
}

/**
 * Turns key presses into store actions and server calls, through the one
 * binding table. Server calls report their answer on the hint line.
 */
export function useKeyCommands(sources: PaneSources | null) {
  const state = useTuiState();
  const dispatch = useDispatch();
  const actions = useActions();

  const report = (call: Promise<string>, after?: Action) => reportCall(dispatch, call, after);

  useInput((input, key) => {
    const overlay = state.overlay;
    if (overlay?.kind === 'confirm') {
      if (input === 'y' || input === 'Y') {
        dispatch({ type: 'closeOverlay' });
        if (overlay.action.type === 'quit') actions.quit();
        else void report(actions.cancel(overlay.action.taskId));
      } else if (input === 'n' || input === 'N' || key.escape || input === 'q') {
        dispatch({ type: 'closeOverlay' });
      }
      return;
    }
    if (overlay && typingOverlays.has(overlay.kind)) {
      // These overlays read their own keys; only Esc (and ? on help) closes from here.
      if (overlay.kind === 'help' && (key.escape || input === '?' || input === 'q'))
        dispatch({ type: 'closeOverlay' });
      return;
    }
    if (state.flash) dispatch({ type: 'flash', flash: null });
    // Keys typed quickly (or over a slow SSH link) arrive together, and Ink hands them over as
    // one string, as it does a paste: each character is a key of its own, decided against the
    // state the keys before it made (`3x`: the workers view, then drain). A key that opens an
    // overlay ends the burst: what follows was typed before the person saw it.
    const keys = input.length > 1 && !key.ctrl && !key.meta ? [...input] : [input];
    let current = state;
    const apply = (action: Action) => {
      current = reducer(current, action);
      dispatch(action);
    };
    for (const one of keys) {
      const command = commandFor(one, key, current.view);
      if (command) run(command, current, apply, actions, sources, report);
      if (current.overlay) break;
    }
  });
}

/** Keys that only change what is on screen: one store action each, nothing to decide. */
const directActions: Partial<Record<KeyCommand, Action>> = {
  help: { type: 'openOverlay', overlay: { kind: 'help' } },
  nextView: { type: 'nextView' },
  showTasks: { type: 'showView', view: 'tasks' },
  showApprovals: { type: 'showView', view: 'approvals' },
  showWorkers: { type: 'showView', view: 'workers' },
  showThreads: { type: 'showView', view: 'threads' },
  moveUp: { type: 'moveSelection', by: -1 },
  moveDown: { type: 'moveSelection', by: 1 },
  pin: { type: 'togglePin' },
  zoom: { type: 'toggleZoom' },
  toggleTools: { type: 'toggleTools' },
  newTask: { type: 'openOverlay', overlay: { kind: 'newTask' } },
  filter: { type: 'openOverlay', overlay: { kind: 'filter' } },
};

function run(
  command: KeyCommand,
  state: TuiState,
  dispatch: (action: Action) => void,
  actions: TuiActions,
  sources: PaneSources | null,
  report: (call: Promise<string>, after?: Action) => Promise<void>,
): void {
  const task = selectedTask(state);
  const approvalId = selectedId(state, 'approvals');
  const worker = selectedWorker(state);
  const pane = focusedPane(state);
  const paneBuffer = pane ? sources?.get(pane)?.buffer : undefined;
  const maxScroll = paneBuffer?.maxScrollBack ?? 0;
  const page = Math.max(1, (paneBuffer?.rows ?? 10) - 1);
  const needTask = (then: (id: string) => void) =>
    task ? then(task.id) : dispatch({ type: 'flash', flash: { tone: 'error', text: 'no task selected' } });
  const direct = directActions[command];
  if (direct) {
    dispatch(direct);
    return;
  }
  switch (command) {
    case 'quit': {
      const { running } = counts(state);
      if (state.embedded && running > 0) {
        dispatch({
          type: 'openOverlay',
          overlay: {
            kind: 'confirm',
            question: `${running} task${running === 1 ? ' runs' : 's run'} here. Quit stops Nexa; ${running === 1 ? 'it runs' : 'they run'} again at the next nexa up.`,
            action: { type: 'quit' },
          },
        });
      } else actions.quit();
      return;
    }
    case 'scrollUp':
      if (pane) dispatch({ type: 'scroll', taskId: pane, by: page, max: maxScroll });
      return;
    case 'scrollDown':
      if (pane) dispatch({ type: 'scroll', taskId: pane, by: -page, max: maxScroll });
      return;
    case 'scrollTop':
      if (pane) dispatch({ type: 'scrollEdge', taskId: pane, edge: 'top', max: maxScroll });
      return;
    case 'scrollBottom':
      if (pane) dispatch({ type: 'scrollEdge', taskId: pane, edge: 'bottom', max: maxScroll });
      return;
    case 'showDiff':
      needTask((id) =>
        state.tasks[id]?.repo
          ? dispatch({ type: 'openOverlay', overlay: { kind: 'diff', taskId: id } })
          : dispatch({
              type: 'flash',
              flash: {
                tone: 'error',
                text: `${shortId(id)} has no repository: only --repo tasks have a diff`,
              },
            }),
      );
      return;
    case 'cancelTask':
      needTask((id) =>
        dispatch({
          type: 'openOverlay',
          overlay: {
            kind: 'confirm',
            question: `Cancel task ${id}?`,
            action: { type: 'cancelTask', taskId: id },
          },
        }),
      );
      return;
    case 'retryTask':
      needTask((id) => void report(actions.retry(id)));
      return;
    case 'followUp':
      needTask((id) =>
        dispatch({
          type: 'openOverlay',
          overlay: { kind: 'compose', compose: { purpose: 'followUp', threadId: id } },
        }),
      );
      return;
    case 'openThread':
      if (openThreadId(state)) dispatch({ type: 'focusThread', focus: 'messages' });
      return;
    case 'reply': {
      const threadId = openThreadId(state);
      const replyTo = selectedMessageId(state);
      if (threadId && replyTo) {
        dispatch({
          type: 'openOverlay',
          overlay: { kind: 'compose', compose: { purpose: 'reply', threadId, replyTo } },
        });
      } else
        dispatch({
          type: 'flash',
          flash: { tone: 'error', text: 'no message to reply to: n says something new' },
        });
      return;
    }
    case 'say': {
      const threadId = openThreadId(state);
      if (threadId)
        dispatch({
          type: 'openOverlay',
          overlay: { kind: 'compose', compose: { purpose: 'say', threadId } },
        });
      else
        dispatch({
          type: 'flash',
          flash: { tone: 'error', text: 'no thread: nexa threads create TITLE makes one' },
        });
      return;
    }
    case 'approve':
    case 'approveAlways':
      if (approvalId && questionAsked(state, approvalId)) {
        if (command === 'approve') dispatch({ type: 'openOverlay', overlay: { kind: 'answer', approvalId } });
        else
          dispatch({ type: 'flash', flash: { tone: 'error', text: 'a question is answered with text: a' } });
        return;
      }
      if (approvalId) {
        void report(actions.approve(approvalId, command === 'approveAlways'), {
          type: 'approvalAnswered',
          id: approvalId,
          approved: true,
        });
      }
      return;
    case 'deny':
      if (approvalId && questionAsked(state, approvalId)) {
        dispatch({ type: 'flash', flash: { tone: 'error', text: 'a question is answered with text: a' } });
        return;
      }
      if (approvalId) dispatch({ type: 'openOverlay', overlay: { kind: 'denyReason', approvalId } });
      return;
    case 'drain':
      if (worker) void report(actions.drain(worker.id));
      return;
    case 'undrain':
      if (worker) void report(actions.undrain(worker.id));
      return;
    case 'back':
      if (state.overlay) dispatch({ type: 'closeOverlay' });
      else if (state.zoomed) dispatch({ type: 'toggleZoom' });
      else if (state.view === 'threads' && state.threadFocus === 'messages')
        dispatch({ type: 'focusThread', focus: 'list' });
      return;
  }
}

function questionAsked(state: TuiState, approvalId: string): boolean {
  const approval = state.approvals[approvalId];
  return approval ? isQuestion(approval) : false;
}
