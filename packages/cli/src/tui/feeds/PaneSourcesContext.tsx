import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import type { PaneSource, PaneSources } from './paneSources.js';

const Context = createContext<PaneSources | null>(null);

export function PaneSourcesProvider({ sources, children }: { sources: PaneSources; children: ReactNode }) {
  return <Context.Provider value={sources}>{children}</Context.Provider>;
}

export const usePaneSources = (): PaneSources | null => useContext(Context);

/** Holds the task's pane source while the calling pane is on screen, at its size. */
export function usePaneSource(taskId: string, cols: number, rows: number): PaneSource | undefined {
  const sources = usePaneSources();
  const [source, setSource] = useState<PaneSource | undefined>(() => sources?.get(taskId));
  useEffect(() => {
    if (!sources) return;
    setSource(sources.acquire(taskId, cols, rows));
    return () => sources.release(taskId);
  }, [sources, taskId, cols, rows]);
  return source;
}
