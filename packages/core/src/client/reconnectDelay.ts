/** Reconnect delay: exponential with jitter, capped, so a fleet does not stampede a restarted coordinator. */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(10_000, 250 * 2 ** attempt);
  return Math.round(base / 2 + (Math.random() * base) / 2);
}
