import { useEffect } from 'react';
import { useTerminalSize } from './components/useTerminalSize.js';
import { PaneSourcesProvider } from './feeds/PaneSourcesContext.js';
import type { PaneSources } from './feeds/paneSources.js';
import { useKeyCommands } from './keys/useKeyCommands.js';
import { Screen } from './Screen.js';
import { useTuiState } from './store/StoreContext.js';

/** The TUI inside its store: the screen at the terminal's size, and the keys. */
export function App({ sources }: { sources: PaneSources }) {
  const { cols, rows } = useTerminalSize();
  const state = useTuiState();
  useKeyCommands(sources);
  useEffect(() => sources.setExpandTools(state.expandTools), [sources, state.expandTools]);
  return (
    <PaneSourcesProvider sources={sources}>
      <Screen cols={cols} rows={rows} />
    </PaneSourcesProvider>
  );
}
