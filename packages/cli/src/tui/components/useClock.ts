import { useEffect, useState } from 'react';

/**
 * The time, for elapsed and time-left columns. It ticks once a second only
 * while something on screen counts (a running task, a pending approval);
 * an idle TUI has no timer at all.
 */
export function useClock(counting: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!counting) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [counting]);
  return now;
}
