import type { Client } from '@libsql/client';

/** Lets the event loop turn once: setImmediate runs after the I/O that is waiting. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The libSQL file client runs each statement synchronously on the event loop,
 * and its queue (one connection) starts the next statement from a promise
 * callback, before the loop polls for I/O again. Sixteen listings queued
 * behind each other then held the loop for seconds: no connection accepted,
 * no heartbeat read, no request shed.
 *
 * Here a statement first lets the loop turn, unless it has turned since the
 * statement before: on a quiet coordinator statements are apart anyway and
 * nothing waits, while a queue of them gives way at least every other one.
 */
export function fairClient(client: Client): Client {
  let turned = true;
  let watching = false;
  const noteTurn = () => {
    turned = true;
    watching = false;
  };
  const giveWay = async () => {
    if (!turned) await turn();
    turned = false;
    if (!watching) {
      watching = true;
      setImmediate(noteTurn);
    }
  };
  return new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property === 'execute' || property === 'batch') {
        return async (...args: unknown[]) => {
          await giveWay();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
