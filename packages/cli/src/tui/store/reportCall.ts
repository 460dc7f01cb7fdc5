import { NexaError } from '@nexa/core';
import type { Dispatch } from 'react';
import type { Action } from './reducer.js';

/** The one line a failure shows: a NexaError's own line (what, then what to do), else the error as text. */
export const errorLine = (error: unknown): string =>
  error instanceof NexaError ? error.toLine() : String(error);

/**
 * A server call's outcome on the hint line: its answer's line when it
 * succeeds (after `after`, the store's own record of the change), the
 * error's line when it fails.
 */
export function reportCall(dispatch: Dispatch<Action>, call: Promise<string>, after?: Action): Promise<void> {
  return call.then(
    (line) => {
      if (after) dispatch(after);
      dispatch({ type: 'flash', flash: { tone: 'info', text: line } });
    },
    (error: unknown) => dispatch({ type: 'flash', flash: { tone: 'error', text: errorLine(error) } }),
  );
}
