import { App } from '../App.js';
import { PaneSources } from '../feeds/paneSources.js';
import type { TuiActions } from '../store/actions.js';
import { StoreProvider } from '../store/StoreContext.js';
import { initialState, type TuiState } from '../store/state.js';
import { type RenderedFrame, renderFrame } from './renderFrame.js';

export const TEST_SERVER = 'http://127.0.0.1:7420';

/** Actions that record what was asked and answer like the server would. */
export function recordingActions(): TuiActions & { calls: string[] } {
  const calls: string[] = [];
  const answer = (line: string) => {
    calls.push(line);
    return Promise.resolve(line);
  };
  return {
    calls,
    approve: (id, always) => answer(`approve ${id}${always ? ' always' : ''}`),
    deny: (id, reason) => answer(`deny ${id}: ${reason}`),
    cancel: (id) => answer(`cancel ${id}`),
    retry: (id) => answer(`retry ${id}`),
    drain: (id) => answer(`drain ${id}`),
    undrain: (id) => answer(`undrain ${id}`),
    submit: (spec) => answer(`submit ${JSON.stringify(spec.command ?? spec.prompt)}`),
    post: (threadId, body, replyTo) =>
      answer(`post ${threadId}${replyTo ? ` reply-to ${replyTo}` : ''}: ${body}`),
    answer: (id, text) => answer(`answer ${id}: ${text}`),
    diff: () => Promise.resolve('diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n'),
    quit: () => {
      calls.push('quit');
    },
  };
}

/**
 * The whole TUI from a partial store state, in a headless terminal of the
 * given size, as the person would see it. Pane terminals come from `sources`
 * (fill them with `sources.acquire(id, …).transcript.append(events)`).
 */
export async function renderTui(
  state: Partial<TuiState>,
  size: { cols: number; rows: number },
  options: { actions?: TuiActions; sources?: PaneSources } = {},
): Promise<RenderedFrame & { actions: TuiActions; sources: PaneSources }> {
  const actions = options.actions ?? recordingActions();
  const sources = options.sources ?? new PaneSources(null);
  const rendered = await renderFrame(
    <StoreProvider
      initial={{
        ...initialState(TEST_SERVER),
        connection: { status: 'connected', server: TEST_SERVER },
        ...state,
      }}
      actions={actions}
    >
      <App sources={sources} />
    </StoreProvider>,
    size,
  );
  return Object.assign(rendered, { actions, sources });
}
