import { useState } from 'react';
import { errorLine } from '../store/reportCall.js';
import { useDispatch } from '../store/StoreContext.js';

/**
 * Sending what an overlay's form holds, one call at a time: while it is out
 * the form says so; when it succeeds the overlay closes and its answer is
 * flashed; when it fails the form stays, with what was typed, and says why.
 */
export function useOverlaySend() {
  const dispatch = useDispatch();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const send = (call: () => Promise<string>) => {
    if (busy) return;
    setBusy(true);
    call().then(
      (line) => {
        dispatch({ type: 'closeOverlay' });
        dispatch({ type: 'flash', flash: { tone: 'info', text: line } });
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorLine(e));
      },
    );
  };
  return { busy, error, setError, send };
}
