/**
 * How late the event loop runs, sampled every few ms. Concurrency alone does
 * not bound work when requests keep arriving: a loop that runs late is
 * saturated, and new client calls are shed until it catches up.
 */
export const loopLag = (() => {
  const everyMs = 20;
  let lagMs = 0;
  let expected = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const now = performance.now();
    lagMs = Math.max(0, now - expected);
    expected = now + everyMs;
    timer = setTimeout(tick, everyMs);
    timer.unref();
  };
  return () => {
    if (!timer) {
      expected = performance.now() + everyMs;
      timer = setTimeout(tick, everyMs);
      timer.unref();
    }
    return lagMs;
  };
})();
