import type { Approval, TaskActivity, TaskFeedMessage } from '@nexa/core';
import { isTerminalStatus } from '@nexa/core';
import type { NexaConnection } from '@nexa/core/client';
import type { AppRouter } from '@nexa/server';
import { type Dispatch, useEffect, useRef } from 'react';
import { shortId } from '../components/cells.js';
import { FrameBatcher } from '../frames/frameBatcher.js';
import { atNextLiveFrame } from '../frames/liveFrames.js';
import type { Action } from '../store/reducer.js';
import { taskTitle } from '../store/taskFilter.js';
import type { Notifier } from './notify.js';

/** How often the list takes in running tasks' last lines and costs. */
const ACTIVITY_MS = 1000;

/** What the feeds need to know when deciding whether to notify. */
export interface WatchedTasks {
  /** Tasks whose end the person wants to hear about: pinned, or submitted from this TUI. */
  has(taskId: string): boolean;
}

/**
 * Feeds the store from the coordinator, never by polling: the live task list
 * (resumed from its cursor after a reconnect), the workers, and the approvals
 * queue (listed again after a reconnect, since its watch has no cursor).
 * Updates are applied once per frame however fast they arrive.
 */
export function useLiveFeeds(
  nexa: NexaConnection<AppRouter>,
  dispatch: Dispatch<Action>,
  notify: Notifier | null,
  watched: WatchedTasks,
): void {
  const watchedRef = useRef(watched);
  watchedRef.current = watched;
  useEffect(() => {
    const { client, connection } = nexa;
    // The tasks not yet ended, to notice a watched one ending; an ended task leaves, so this
    // holds the active tasks only, however long the TUI runs.
    const unfinished = new Set<string>();
    // A running task's last line and cost change all the time; the list shows them once a
    // second, so streaming tasks do not redraw the whole screen at the feed's pace.
    const activityBatch = new FrameBatcher<TaskActivity>((activity) => {
      // Drawn with the streaming panes, not as a frame of its own.
      atNextLiveFrame(() => dispatch({ type: 'tasksActivity', activity }));
    }, ACTIVITY_MS);
    const taskBatch = new FrameBatcher<TaskFeedMessage>((messages) => {
      const snapshotAt = messages.findLastIndex((m) => m.type === 'snapshot');
      const start = Math.max(0, snapshotAt);
      const snapshot = messages[snapshotAt];
      if (snapshot?.type === 'snapshot') dispatch({ type: 'tasksSnapshot', tasks: snapshot.tasks });
      const changed = messages.slice(snapshotAt + 1).flatMap((m) => (m.type === 'task' ? [m.task] : []));
      if (changed.length > 0) dispatch({ type: 'tasksChanged', tasks: changed });
      for (const m of messages.slice(start))
        if (m.type === 'activity') for (const a of m.tasks) activityBatch.push(a);
      if (snapshot?.type === 'snapshot') {
        unfinished.clear();
        for (const task of snapshot.tasks) if (!isTerminalStatus(task.status)) unfinished.add(task.id);
      }
      for (const task of changed) {
        if (!isTerminalStatus(task.status)) {
          unfinished.add(task.id);
          continue;
        }
        const ended = unfinished.delete(task.id);
        if (notify && ended && watchedRef.current.has(task.id)) {
          notify(
            `${shortId(task.id)} ${task.agent} ${task.status.replace('_', ' ')}: ${taskTitle(task).slice(0, 80)}`,
          );
        }
      }
    });
    const pendingSeen = new Set<string>();
    let listedOnce = false;
    const approvalBatch = new FrameBatcher<Approval>((approvals) => {
      dispatch({ type: 'approvalsChanged', approvals });
      for (const approval of approvals) {
        if (approval.status !== 'pending' || pendingSeen.has(approval.id)) continue;
        pendingSeen.add(approval.id);
        notify?.(
          `${shortId(approval.taskId)} ${approval.agent} needs approval: ${approval.tool} ${approval.command ?? approval.action}`,
        );
      }
    });
    const listApprovals = () =>
      client.approvals.list.query({ status: ['pending'], limit: 1000 }).then(
        (approvals) => {
          for (const approval of approvals) {
            // Requests that were already waiting when the TUI opened do not ring; ones that arrived while it was away do.
            if (!listedOnce) pendingSeen.add(approval.id);
          }
          listedOnce = true;
          dispatch({ type: 'approvalsSnapshot', approvals });
          for (const approval of approvals) approvalBatch.push(approval);
        },
        () => undefined, // the connection state says why; the next reconnect lists again
      );

    let wasConnected = false;
    const onState = (state: typeof connection.state) => {
      dispatch({
        type: 'connection',
        status: state,
        ...(state === 'refused' && connection.refusal ? { message: connection.refusal.toLine() } : {}),
      });
      if (state === 'connected') {
        if (wasConnected) void listApprovals();
        wasConnected = true;
      }
    };
    const stopWatching = connection.subscribe(onState);
    onState(connection.state);

    const live = () => connection.state !== 'refused';
    const subscriptions = [
      keepSubscribed(
        (onError) =>
          client.tasks.watch.subscribe(
            {},
            // Snapshots and changes come tracked (with the cursor to resume from); activity comes bare.
            { onData: (message) => taskBatch.push('data' in message ? message.data : message), onError },
          ),
        live,
      ),
      keepSubscribed(
        (onError) =>
          client.workers.watch.subscribe(undefined, {
            onData: (workers) => dispatch({ type: 'workers', workers }),
            onError,
          }),
        live,
      ),
      keepSubscribed((onError) => {
        void listApprovals();
        return client.approvals.watch.subscribe(undefined, {
          onData: (approval) => approvalBatch.push(approval),
          onError,
        });
      }, live),
    ];
    return () => {
      stopWatching();
      for (const stop of subscriptions) stop();
      taskBatch.dispose();
      activityBatch.dispose();
      approvalBatch.dispose();
    };
  }, [nexa, dispatch, notify]);
}

/** A second between a subscription the server ended with an error and the next try. */
const RESUBSCRIBE_MS = 1000;

/**
 * A lost connection is resumed by the client itself; a subscription the
 * server ended (a watch that fell behind, a restart mid-call) is opened
 * again after a pause, which starts it from a fresh snapshot.
 */
export function keepSubscribed(
  open: (onError: () => void) => { unsubscribe(): void },
  retry: () => boolean = () => true,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: { unsubscribe(): void } | undefined;
  const start = () => {
    current = open(() => {
      if (stopped || !retry()) return;
      timer = setTimeout(start, RESUBSCRIBE_MS);
    });
  };
  start();
  return () => {
    stopped = true;
    clearTimeout(timer);
    current?.unsubscribe();
  };
}
