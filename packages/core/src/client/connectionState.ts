import type { NexaError } from '../errors.js';
import { tokenRefused } from './errors.js';
import type { WebSocketClient } from './webSocketClient.js';

/** Where a client's WebSocket to the coordinator stands, as a status bar shows it. */
export const connectionStates = ['connecting', 'connected', 'reconnecting', 'refused'] as const;
export type ConnectionState = (typeof connectionStates)[number];

/** The coordinator's close code for "your token is no longer good" (revoked or expired). */
export const TOKEN_ENDED_CLOSE_CODE = 4001;

/** The close reasons the coordinator sends with 4001, in the words its calls use for the same refusal. */
const tokenEndReasons: Record<string, string> = {
  'token revoked': 'the token has been revoked',
  'token expired': 'the token has expired',
};

/** Why a 4001 close refused us, as a person reads it. */
export function tokenEndReason(closeReason: unknown): string {
  if (typeof closeReason !== 'string' || !closeReason) return 'the token is no longer valid';
  return tokenEndReasons[closeReason] ?? closeReason;
}

/**
 * The connection state, observable: `subscribe` returns the unsubscribe
 * function and `state` is the snapshot, the pair React's
 * `useSyncExternalStore` takes.
 */
export interface ConnectionObserver {
  readonly state: ConnectionState;
  /** Why the coordinator refused us, with the hint to fix the token; set once `state` is 'refused'. */
  readonly refusal: NexaError | undefined;
  subscribe(listener: (state: ConnectionState) => void): () => void;
}

/** The observer and the two ways the client factory feeds it. */
export interface ConnectionWatch extends ConnectionObserver {
  /** The coordinator refused the token (`why`, in its words): the state stays 'refused' for good. */
  refuse(why: string): void;
  /**
   * No socket can ever open (the server's certificate is not trusted): every
   * call fails with `refusal`, and the state stays 'refused' for good.
   */
  fail(refusal: NexaError): void;
  /**
   * Calls `listener` once with the reason, when the token is refused or the
   * connection has failed for good (at once if it already has): `why` in the
   * coordinator's words for a token, `refusal` as the caller should see it.
   */
  onRefused(listener: (why: string, refusal: NexaError) => void): () => void;
}

/**
 * Follows a tRPC WebSocket client's own state. 'connecting' is the first
 * attempt; once an attempt has failed or an open socket is lost it is
 * 'reconnecting' until a socket opens again. A lazy client with nothing to
 * do closes its socket on purpose: that keeps the last state.
 */
export function watchConnection(wsClient: WebSocketClient, server: string): ConnectionWatch {
  let state: ConnectionState = 'connecting';
  let refusal: NexaError | undefined;
  let refusedBecause = '';
  const listeners = new Set<(state: ConnectionState) => void>();
  const refusalListeners = new Set<(why: string, refusal: NexaError) => void>();

  const become = (next: ConnectionState) => {
    if (next === state || state === 'refused') return;
    state = next;
    for (const listener of [...listeners]) listener(state);
  };

  wsClient.connectionState.subscribe({
    next(update) {
      if (update.state === 'pending') become('connected');
      else if (update.state === 'connecting' && update.error) become('reconnecting');
    },
  });

  const end = (why: string, failure: NexaError) => {
    if (refusal) return;
    refusal = failure;
    refusedBecause = why;
    // The open calls fail first: observers of the state may close the socket, which would end them quietly.
    for (const listener of [...refusalListeners]) listener(why, failure);
    refusalListeners.clear();
    become('refused');
  };

  return {
    get state() {
      return state;
    },
    get refusal() {
      return refusal;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refuse(why) {
      end(why, tokenRefused(server, why));
    },
    fail(failure) {
      end(failure.message, failure);
    },
    onRefused(listener) {
      if (refusal) {
        listener(refusedBecause, refusal);
        return () => {};
      }
      refusalListeners.add(listener);
      return () => refusalListeners.delete(listener);
    },
  };
}
