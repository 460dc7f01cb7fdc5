/**
 * The pace of everything that changes by itself on screen: streaming panes,
 * the elapsed-time clock, running tasks' last lines. Five frames a second
 * reads as live, and every frame costs Ink a render of the whole screen, so
 * drawing these at Ink's 30 fps cap would cost six times the CPU for nothing
 * a person can read. What a person does (a key) draws at once.
 */
export const LIVE_FRAME_MS = 200;

const pending = new Set<() => void>();
let scheduled = false;

function tick(): void {
  scheduled = false;
  const due = [...pending];
  pending.clear();
  // One turn for all of them: React batches their updates into one render, one frame.
  for (const listener of due) listener();
}

/**
 * Calls `listener` at the next live frame, together with everything else
 * that changed meanwhile. No timer exists while nothing changes.
 */
export function atNextLiveFrame(listener: () => void): void {
  pending.add(listener);
  if (scheduled) return;
  scheduled = true;
  setTimeout(tick, LIVE_FRAME_MS);
}

/** Forgets a listener (its component went away before the frame). */
export function cancelLiveFrame(listener: () => void): void {
  pending.delete(listener);
}
