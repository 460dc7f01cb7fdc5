import { limits, NexaError, type Principal } from '@nexa/core';
import type { Services } from '../services/index.js';
import { CallQueue } from './callQueue.js';

/**
 * What the coordinator allows one connection, one principal and everyone
 * together, so no single client can exhaust it: subscriptions per socket and
 * per principal, and calls in flight (people and tools share one budget,
 * workers have their own so others' load never makes a healthy worker lost).
 */

export type Transport = 'http' | 'ws';

interface ConnectionState {
  transport: Transport;
  subscriptions: number;
}

interface CoordinatorState {
  subscriptionsByPrincipal: Map<string, number>;
  calls: { client: CallQueue; worker: CallQueue };
}

/** Keyed by the context's per-connection object: a WebSocket shares it across calls, HTTP has one per request. */
const connections = new WeakMap<object, ConnectionState>();
const coordinators = new WeakMap<Services, CoordinatorState>();

/** Tags a context's connection with how it came in (listen.ts does this for every context). */
export function markConnection(connection: object, transport: Transport): void {
  connections.set(connection, { transport, subscriptions: 0 });
}

function coordinator(services: Services): CoordinatorState {
  let state = coordinators.get(services);
  if (!state) {
    const { load } = limits;
    state = {
      subscriptionsByPrincipal: new Map(),
      calls: {
        client: new CallQueue(load.clientCalls, load.clientWaiting, load.clientWaitMs),
        // Workers' calls are small and must never wait behind anyone's: no line, only a cap.
        worker: new CallQueue(load.workerCalls, 0, 0),
      },
    };
    coordinators.set(services, state);
  }
  return state;
}

const principalKey = (principal: Principal | null) =>
  principal ? `${principal.role}:${principal.subject}` : 'anonymous';

interface GuardContext {
  services: Services;
  principal: Principal | null;
  connection: object;
}

/** Takes a subscription slot or throws a typed error; `release` gives it back exactly once. */
/**
 * A worker's session (`workers.connect`) counts against its socket only: a
 * fleet may share one worker token, and each of its workers opens exactly one.
 */
const PER_CONNECTION_ONLY = new Set(['workers.connect']);

export function admitSubscription(ctx: GuardContext, path: string): () => void {
  const connection = connections.get(ctx.connection);
  if (!connection) return () => {}; // in-process callers (tests, createCaller) hold no socket
  if (connection.transport === 'http') {
    throw new NexaError('invalid_input', 'subscriptions are served over the WebSocket only', {
      hint: 'connect with a WebSocket (the nexa client does this itself)',
    });
  }
  const perConnection = limits.wire.subscriptionsPerConnection;
  if (connection.subscriptions >= perConnection) {
    throw new NexaError(
      'invalid_input',
      `this connection already has ${perConnection} subscriptions open (the limit)`,
      {
        hint: 'stop a subscription before opening another',
      },
    );
  }
  const byPrincipal = coordinator(ctx.services).subscriptionsByPrincipal;
  const counted = !PER_CONNECTION_ONLY.has(path);
  const key = principalKey(ctx.principal);
  const held = byPrincipal.get(key) ?? 0;
  const perPrincipal = limits.wire.subscriptionsPerPrincipal;
  if (counted && held >= perPrincipal) {
    throw new NexaError(
      'invalid_input',
      `this token already has ${perPrincipal} subscriptions open (the limit)`,
      {
        hint: 'close other connections or subscriptions of this token first',
      },
    );
  }
  connection.subscriptions++;
  if (counted) byPrincipal.set(key, held + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    connection.subscriptions--;
    if (!counted) return;
    const left = (byPrincipal.get(key) ?? 1) - 1;
    if (left > 0) byPrincipal.set(key, left);
    else byPrincipal.delete(key);
  };
}

/**
 * Calls that touch only memory and are never shed: a heartbeat waiting
 * behind a flood of appends made a busy coordinator declare healthy workers
 * lost, and then requeue all their tasks, which is more load, not less.
 */
export const UNMETERED_CALLS: ReadonlySet<string> = new Set(['workers.heartbeat']);

/**
 * Takes a slot for a query or mutation (perhaps after a short wait in line), or
 * throws `unavailable`. Not by event-loop lag: on a shared 2-core machine the
 * loop runs late whenever another process takes the CPU, and shedding then
 * refused fifty ordinary pollers. A line that is full, or a wait that runs
 * out, is what says the coordinator itself cannot keep up.
 */
export function admitCall(ctx: GuardContext): Promise<() => void> {
  const queues = coordinator(ctx.services).calls;
  return ctx.principal?.role === 'worker' ? queues.worker.admit() : queues.client.admit();
}

/**
 * Wraps a subscription's stream so its slot is given back however it ends:
 * completed, failed, stopped, or disposed without ever being read.
 */
export function releasedWhenDone<T>(iterable: AsyncIterable<T>, release: () => void): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = iterable[Symbol.asyncIterator]();
      return {
        async next() {
          try {
            const result = await iterator.next();
            if (result.done) release();
            return result;
          } catch (error) {
            release();
            throw error;
          }
        },
        async return(value?: unknown) {
          try {
            return (await iterator.return?.(value)) ?? { done: true, value: undefined };
          } finally {
            release();
          }
        },
        async throw(error?: unknown) {
          try {
            if (iterator.throw) return await iterator.throw(error);
            throw error;
          } finally {
            release();
          }
        },
      };
    },
  };
}
