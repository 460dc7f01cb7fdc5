import { untilSignal } from './untilSignal.js';

interface Handlers<T> {
  onData(data: T): void;
  onError(error: unknown): void;
  onComplete(): void;
}

/**
 * Runs a subscription until the coordinator ends it, it fails (rejects), or
 * the person presses Ctrl-C (resolves): how `thread watch` and `kv watch` run.
 */
export function watchUntilSignal<T>(
  subscribe: (handlers: Handlers<T>) => { unsubscribe(): void },
  onData: (data: T) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const subscription = subscribe({
      onData,
      onError(error) {
        subscription.unsubscribe();
        reject(error);
      },
      onComplete: () => resolve(),
    });
    void untilSignal().then(() => {
      subscription.unsubscribe();
      resolve();
    });
  });
}
