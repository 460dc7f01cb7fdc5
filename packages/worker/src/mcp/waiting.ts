import { limits, NexaError } from '@nexa/core';
import { z } from 'zod';

/** What a wait ended with: the thing waited for, or the timeout. */
export type Waited<T> = { found: T } | { timedOut: true };

interface Handlers<D> {
  onData(data: D): void;
  onError(error: unknown): void;
  onComplete(): void;
}

/**
 * Subscribes and resolves with the first piece of data `pick` accepts, or
 * `{timedOut}` after `timeoutMs`; a cancelled call (signal) rejects. The
 * subscription ends in every case: a blocking tool holds no stream after it
 * answers.
 */
export function waitOnSubscription<D, T>(
  subscribe: (handlers: Handlers<D>) => { unsubscribe(): void },
  pick: (data: D) => T | undefined,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Waited<T>> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let subscription: { unsubscribe(): void } | undefined;
    const finish = (end: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      subscription?.unsubscribe();
      end();
    };
    const onAbort = () =>
      finish(() => reject(new NexaError('invalid_input', 'the call was cancelled while waiting')));
    const timer = setTimeout(() => finish(() => resolve({ timedOut: true })), timeoutMs);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    subscription = subscribe({
      onData(data) {
        const found = pick(data);
        if (found !== undefined) finish(() => resolve({ found }));
      },
      onError: (error) => finish(() => reject(error)),
      onComplete: () =>
        finish(() =>
          reject(new NexaError('unavailable', 'the coordinator ended the stream before it answered')),
        ),
    });
    // The data may all have come while subscribing.
    if (settled) subscription.unsubscribe();
  });
}

/** A timeout argument in seconds, bounded by the wait limit, as milliseconds. */
export function waitMs(timeoutSeconds: number, limitMs: number): number {
  return Math.min(timeoutSeconds * 1000, limitMs);
}

/** A blocking tool's timeout argument, for a model: seconds, at most the coordinator's wait limit. */
export function timeoutSeconds(defaultSeconds: number) {
  const max = Math.floor(limits.conversation.waitMs / 1000);
  return z
    .number()
    .int()
    .min(1)
    .max(max)
    .optional()
    .describe(`How long to wait, in seconds (default ${defaultSeconds}, at most ${max}).`);
}
