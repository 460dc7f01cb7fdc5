import { useEffect, useState } from 'react';
import { atNextLiveFrame, cancelLiveFrame } from '../frames/liveFrames.js';

/**
 * The time, for elapsed and time-left columns. It ticks once a second only
 * while something on screen counts (a running task, a pending approval);
 * an idle TUI has no timer at all.
 */
export function useClock(counting: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!counting) return;
    const update = () => setNow(Date.now());
    update();
    // On the live frame, so a second ticking over and streaming panes draw as one frame.
    const timer = setInterval(() => atNextLiveFrame(update), 1000);
    return () => {
      clearInterval(timer);
      cancelLiveFrame(update);
    };
  }, [counting]);
  return now;
}
