import type { ThreadMessage } from '@nexa/core';
import { type NexaConnection, toNexaError } from '@nexa/core/client';
import type { AppRouter } from '@nexa/server';
import { type Dispatch, useEffect, useRef, useState } from 'react';
import { FrameBatcher } from '../frames/frameBatcher.js';
import { type Action, MESSAGES_KEPT, THREADS_KEPT } from '../store/reducer.js';
import { errorLine } from '../store/reportCall.js';
import type { TuiState } from '../store/state.js';
import { openThreadId } from '../store/threadSelectors.js';
import type { WatchThread } from './paneSources.js';

/**
 * Feeds the Threads view and the Workers view's presence, never by polling:
 * the thread list is read when the view opens, after a reconnect and when a
 * task (so a thread) appears; the open thread is watched live from its last
 * seq (resumed the same way after a reconnect); who is on line is read when
 * the Workers view opens and after a reconnect.
 */
export function useConversationFeeds(
  nexa: NexaConnection<AppRouter>,
  watchThread: WatchThread,
  dispatch: Dispatch<Action>,
  state: TuiState,
  project: string | undefined,
): void {
  const connected = useConnectedCount(nexa);
  const stateRef = useRef(state);
  stateRef.current = state;

  const onThreads = state.view === 'threads';
  const taskCount = onThreads ? Object.keys(state.tasks).length : 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new task is a new thread, so the list is read again
  useEffect(() => {
    if (!onThreads || connected === 0) return;
    let live = true;
    nexa.client.threads.list.query({ ...(project ? { project } : {}), limit: THREADS_KEPT }).then(
      ({ items }) => live && dispatch({ type: 'threadsSnapshot', threads: items }),
      (error: unknown) => {
        if (!live) return;
        const why = toNexaError(error, stateRef.current.connection.server);
        dispatch({ type: 'flash', flash: { tone: 'error', text: errorLine(why) } });
      },
    );
    return () => {
      live = false;
    };
  }, [nexa, dispatch, project, onThreads, connected, taskCount]);

  const openId = onThreads ? openThreadId(state) : null;
  useEffect(() => {
    if (!openId) return;
    let seen = 0;
    const batch = new FrameBatcher<ThreadMessage>((messages) =>
      dispatch({ type: 'threadMessages', threadId: openId, messages }),
    );
    const stop = watchThread(
      openId,
      () => {
        if (seen > 0) return seen;
        // A long thread opens on its newest messages: the view keeps no more than these.
        const total = stateRef.current.threads[openId]?.messages ?? 0;
        return Math.max(0, total - MESSAGES_KEPT);
      },
      (message) => {
        seen = Math.max(seen, message.seq);
        batch.push(message);
      },
    );
    return () => {
      stop();
      batch.dispose();
      dispatch({ type: 'forgetThread', threadId: openId });
    };
  }, [watchThread, dispatch, openId]);

  const onWorkers = state.view === 'workers';
  useEffect(() => {
    if (!onWorkers || connected === 0) return;
    let live = true;
    nexa.client.presence.who.query(project ? { project } : {}).then(
      (entries) => live && dispatch({ type: 'presence', entries }),
      () => undefined, // presence is a courtesy: the workers table does not depend on it
    );
    return () => {
      live = false;
    };
  }, [nexa, dispatch, project, onWorkers, connected]);
}

/** Goes up each time the connection (re)opens, so reads done "after a reconnect" run again. */
function useConnectedCount(nexa: NexaConnection<AppRouter>): number {
  const [count, setCount] = useState(() => (nexa.connection.state === 'connected' ? 1 : 0));
  useEffect(() => {
    const stop = nexa.connection.subscribe((state) => {
      if (state === 'connected') setCount((n) => n + 1);
    });
    // It may have opened between the first render and this subscription.
    if (nexa.connection.state === 'connected') setCount((n) => Math.max(n, 1));
    return stop;
  }, [nexa]);
  return count;
}
