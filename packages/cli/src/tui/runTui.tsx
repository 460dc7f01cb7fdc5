import { NexaError } from '@nexa/core';
import { createNexaClient } from '@nexa/core/client';
import type { AppRouter } from '@nexa/server';
import { render } from 'ink';
import { useMemo } from 'react';
import { App } from './App.js';
import { clientActions } from './feeds/clientActions.js';
import { type Notifier, terminalNotifier } from './feeds/notify.js';
import { PaneSources, type WatchThread } from './feeds/paneSources.js';
import { useConversationFeeds } from './feeds/useConversationFeeds.js';
import { keepSubscribed, useLiveFeeds } from './feeds/useLiveFeeds.js';
import { StoreProvider, useDispatch, useTuiState } from './store/StoreContext.js';
import { initialState } from './store/state.js';

/** Long enough for Ink (at most 30 frames a second) to draw the refusal before the TUI ends. */
const REFUSAL_FRAME_MS = 150;

export interface TuiOptions {
  server: string;
  token: string | undefined;
  /** Inside `nexa up`: quitting stops the coordinator and worker, so it asks first when tasks run. */
  embedded: boolean;
  /** Bell and desktop notifications (`--no-notify` turns them off). */
  notify: boolean;
  /** PEM of a private CA the server's certificate is checked against (--ca). */
  ca?: string | undefined;
  /** Ends the TUI from outside (`nexa up` got SIGTERM). */
  signal?: AbortSignal;
  /** The project whose threads the Threads view lists (`--project`, $NEXA_PROJECT); the coordinator's default when absent. */
  project?: string;
}

/**
 * Runs the TUI until the person quits; throws the coordinator's refusal
 * (bad or revoked token) as a NexaError after restoring the terminal.
 */
export async function runTui(options: TuiOptions): Promise<void> {
  const nexa = createNexaClient<AppRouter>({
    server: options.server,
    token: options.token,
    ca: options.ca,
    transport: 'websocket',
    keepAlive: true,
    // `nexa who` shows a person with the TUI open as on line "tui".
    client: 'tui',
  });
  const submitted = new Set<string>();
  let quit: () => void = () => undefined;
  const ended = new Promise<NexaError | undefined>((resolve) => {
    quit = () => resolve(undefined);
    options.signal?.addEventListener('abort', () => resolve(undefined), { once: true });
    nexa.connection.subscribe((state) => {
      if (state === 'refused')
        resolve(nexa.connection.refusal ?? new NexaError('unauthorized', 'the token was refused'));
    });
  });
  const actions = clientActions(nexa, options.server, {
    quit: () => quit(),
    submitted: (id) => submitted.add(id),
  });
  const live = () => nexa.connection.state !== 'refused';
  // Resumed after a reconnect by the client itself (it sends the last tracked seq as lastEventId),
  // and reopened from the last seq shown when the server ended the watch.
  const watchThread: WatchThread = (threadId, afterSeq, onMessage) =>
    keepSubscribed(
      (onError) =>
        nexa.client.threads.watch.subscribe(
          { threadId, lastEventId: String(afterSeq()) },
          { onData: ({ data }) => onMessage(data), onError },
        ),
      live,
    );
  const sources = new PaneSources(
    (taskId, afterSeq, onEvent) =>
      keepSubscribed(
        (onError) =>
          nexa.client.events.tail.subscribe(
            { taskId, afterSeq: afterSeq() },
            { onData: ({ data }) => onEvent(data), onError },
          ),
        live,
      ),
    watchThread,
  );
  const notifier = options.notify ? terminalNotifier(process.stdout) : null;
  const instance = render(
    <StoreProvider initial={initialState(options.server, options.embedded)} actions={actions}>
      <LiveFeeds
        nexa={nexa}
        notify={notifier}
        submitted={submitted}
        watchThread={watchThread}
        project={options.project}
      />
      <App sources={sources} />
    </StoreProvider>,
    { exitOnCtrlC: false, patchConsole: false, maxFps: 30 },
  );
  const refusal = await ended;
  // Let the last frame say "refused by …" with the reason, not the "connected" of the socket
  // the coordinator accepted before it read the token.
  if (refusal) await new Promise((resolve) => setTimeout(resolve, REFUSAL_FRAME_MS));
  instance.unmount();
  await instance.waitUntilExit();
  sources.dispose();
  await nexa.close();
  if (refusal) throw refusal;
}

function LiveFeeds({
  nexa,
  notify,
  submitted,
  watchThread,
  project,
}: {
  nexa: ReturnType<typeof createNexaClient<AppRouter>>;
  notify: Notifier | null;
  submitted: Set<string>;
  watchThread: WatchThread;
  project: string | undefined;
}) {
  const dispatch = useDispatch();
  const state = useTuiState();
  const { pinned } = state;
  useConversationFeeds(nexa, watchThread, dispatch, state, project);
  const watched = useMemo(
    () => ({ has: (id: string) => pinned.includes(id) || submitted.has(id) }),
    [pinned, submitted],
  );
  useLiveFeeds(nexa, dispatch, notify, watched);
  return null;
}
