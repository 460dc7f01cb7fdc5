import { useCallback, useSyncExternalStore } from 'react';
import { atNextLiveFrame, cancelLiveFrame } from '../frames/liveFrames.js';
import type { TerminalBuffer } from './terminalBuffer.js';

/**
 * Re-renders the calling component when the buffer has parsed new output,
 * and only then, at the next live frame (see frames/liveFrames): every pane that
 * changed redraws in the same render. Returns the buffer's version.
 */
export function useTerminalBuffer(buffer: TerminalBuffer): number {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const stop = buffer.onChange(() => atNextLiveFrame(onChange));
      return () => {
        stop();
        cancelLiveFrame(onChange);
      };
    },
    [buffer],
  );
  return useSyncExternalStore(subscribe, () => buffer.version);
}
