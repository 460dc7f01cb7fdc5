/**
 * How often panes redraw while their tasks stream: five times a second
 * reads as live, and every frame costs Ink a render of the whole screen, so
 * drawing panes at Ink's 30 fps cap would cost four times the CPU for nothing
 * a person can read. Keys and list changes still draw at once.
 */
export const PANE_FRAME_MS = 200;

const pending = new Set<() => void>();
let scheduled = false;

function tick(): void {
  scheduled = false;
  const due = [...pending];
  pending.clear();
  // One turn for all panes: React batches their updates into one render.
  for (const listener of due) listener();
}

/**
 * Calls `listener` at the next pane frame, together with every other pane
 * that changed meanwhile. No timer exists while nothing changes.
 */
export function atNextPaneFrame(listener: () => void): void {
  pending.add(listener);
  if (scheduled) return;
  scheduled = true;
  setTimeout(tick, PANE_FRAME_MS);
}

/** Forgets a listener (its pane went away before the frame). */
export function cancelPaneFrame(listener: () => void): void {
  pending.delete(listener);
}
