import type { Client } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { fairClient } from './fairClient.js';

/** A client whose statements hold the loop, as the libSQL file client's do. */
function blockingClient(ms: number): Client & { done: number } {
  const client = {
    done: 0,
    execute() {
      const until = performance.now() + ms;
      while (performance.now() < until) {}
      client.done++;
      return Promise.resolve({ rows: [] });
    },
  };
  return client as unknown as Client & { done: number };
}

/** Ten statements queued one after another, the way the client's own queue starts them. */
async function tenQueued(client: Client): Promise<number> {
  const raw = client as unknown as { done: number };
  let doneWhenIoRan = -1;
  setImmediate(() => {
    doneWhenIoRan = raw.done;
  });
  let chain: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < 10; i++) chain = chain.then(() => client.execute('select 1'));
  await chain;
  await new Promise((resolve) => setImmediate(resolve));
  return doneWhenIoRan;
}

describe('fairClient', () => {
  it('lets the event loop turn while statements are queued back to back', async () => {
    const inner = blockingClient(5);
    expect(await tenQueued(inner)).toBe(10); // the plain client: nothing else ran until all ten were done
    const fair = blockingClient(5);
    expect(await tenQueued(fairClient(fair))).toBeLessThanOrEqual(2);
  });
});
