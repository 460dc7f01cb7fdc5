import type { Client } from '@libsql/client';

/** Lets the event loop turn once: setImmediate runs after the I/O that is waiting. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The libSQL file client runs each statement synchronously on the event loop,
 * and its queue (one connection) starts the next statement from a promise
 * callback, before the loop polls for I/O again. Sixteen listings queued
 * behind each other then held the loop for seconds: no connection accepted,
 * no heartbeat read, no request shed. Every statement here first lets the
 * loop turn once, so the longest the coordinator is ever away is one
 * statement, whatever is queued.
 */
export function fairClient(client: Client): Client {
  return new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property === 'execute' || property === 'batch') {
        return async (...args: unknown[]) => {
          await turn();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
