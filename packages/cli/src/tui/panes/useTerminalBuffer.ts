import { useCallback, useSyncExternalStore } from 'react';
import { atNextPaneFrame, cancelPaneFrame } from './paneTicker.js';
import type { TerminalBuffer } from './terminalBuffer.js';

/**
 * Re-renders the calling component when the buffer has parsed new output,
 * and only then, at the next pane frame (see paneTicker): every pane that
 * changed redraws in the same render. Returns the buffer's version.
 */
export function useTerminalBuffer(buffer: TerminalBuffer): number {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const stop = buffer.onChange(() => atNextPaneFrame(onChange));
      return () => {
        stop();
        cancelPaneFrame(onChange);
      };
    },
    [buffer],
  );
  return useSyncExternalStore(subscribe, () => buffer.version);
}
