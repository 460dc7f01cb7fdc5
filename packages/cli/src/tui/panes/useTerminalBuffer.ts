import { useCallback, useSyncExternalStore } from 'react';
import type { TerminalBuffer } from './terminalBuffer.js';

/**
 * Re-renders the calling component when the buffer has parsed new output, and
 * only then; returns the buffer's version. One notification per parsed write
 * (xterm coalesces a burst), and Ink caps frames at 30 per second.
 */
export function useTerminalBuffer(buffer: TerminalBuffer): number {
  const subscribe = useCallback((onChange: () => void) => buffer.onChange(onChange), [buffer]);
  return useSyncExternalStore(subscribe, () => buffer.version);
}
