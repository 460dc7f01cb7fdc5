/** How many times a call the coordinator shed is sent again before its "busy" reaches the user. */
const RETRIES = 3;
/** Never wait longer than this for one retry, whatever Retry-After says. */
const MAX_WAIT_MS = 5_000;

/**
 * Wraps fetch so a call the coordinator shed under load (503 with
 * Retry-After: it was refused before it ran, so sending it again is safe,
 * mutations included) is retried after the time it asks for, with jitter so
 * shed clients do not come back all at once. Any other answer is returned as is.
 */
export function retryWhenBusy(inner: typeof fetch, sleep = defaultSleep): typeof fetch {
  return async (input, init) => {
    for (let attempt = 0; ; attempt++) {
      const response = await inner(input, init);
      const retryAfter = response.headers.get('retry-after');
      if (response.status !== 503 || retryAfter === null || attempt >= RETRIES) return response;
      await response.body?.cancel();
      const seconds = Number(retryAfter);
      const base = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
      await sleep(Math.min(MAX_WAIT_MS, base * (1 + Math.random())));
    }
  };
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
