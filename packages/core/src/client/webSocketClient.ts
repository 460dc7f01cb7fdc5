import type { SecureContext } from 'node:tls';
import { createWSClient, TRPCClientError } from '@trpc/client';
import WebSocket from 'ws';

type WSClientOptions = Parameters<typeof createWSClient>[0];
export type WebSocketClient = ReturnType<typeof createWSClient>;

/** The parts of tRPC's WsClient that `flushOutgoing` uses (not public API; checked before use). */
interface WsClientInternals {
  activeConnection: { isOpen(): boolean; ws: unknown };
  reconnecting: unknown;
  requestManager: {
    hasOutgoingRequests(): boolean;
    isOutgoing(message: unknown): boolean;
    flush(ws: unknown): { message: unknown; callbacks: { error(error: unknown): void } }[];
    delete(message: unknown): void;
  };
  open(): Promise<void>;
  send(messages: unknown[]): void;
  flushOutgoing(message: unknown, callbacks: { error(error: unknown): void }): void;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function reportError(callbacks: { error(error: unknown): void }, error: unknown): void {
  try {
    callbacks.error(TRPCClientError.from(error as Error));
  } catch {
    // a throwing callback must not stop the flush of the others
  }
}

/**
 * tRPC's WebSocket client waits `setTimeout(0)` (at least 1 ms in Node) before
 * sending each request, to batch calls made in the same tick. On Nexa's
 * dispatch path that is a millisecond on every hop (submit, each event batch).
 * This flushes on `setImmediate` instead: the same batching of one tick's
 * calls, without the timer floor. If tRPC's internals ever change shape, the
 * stock behaviour stays.
 */
function sendWithoutTimerFloor(client: WebSocketClient): void {
  const internals = client as unknown as WsClientInternals;
  if (
    typeof internals.flushOutgoing !== 'function' ||
    typeof internals.open !== 'function' ||
    typeof internals.send !== 'function' ||
    typeof internals.requestManager?.flush !== 'function' ||
    typeof internals.activeConnection?.isOpen !== 'function'
  ) {
    return;
  }
  internals.flushOutgoing = function flushOutgoing(message, callbacks) {
    const flush = async () => {
      do {
        if (!this.activeConnection.isOpen()) await this.open();
        await nextTurn();
      } while (!this.activeConnection.isOpen() && this.reconnecting);
      if (!this.requestManager.hasOutgoingRequests()) return;
      if (!this.activeConnection.isOpen() && !this.requestManager.isOutgoing(message)) return;
      const requests = this.requestManager.flush(this.activeConnection.ws);
      try {
        this.send(requests.map((request) => request.message));
      } catch (error) {
        for (const request of requests) {
          this.requestManager.delete(request.message);
          reportError(request.callbacks, error);
        }
      }
    };
    flush().catch((error: unknown) => {
      this.requestManager.delete(message);
      reportError(callbacks, error);
    });
  };
}

/** `ws` with the TLS context every socket of this client verifies the server with. */
function webSocketTrusting(secureContext: SecureContext): typeof WebSocket {
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      // Node's types leave secureContext out of ws's options; ws hands them to tls.connect.
      super(address, protocols, { secureContext } as WebSocket.ClientOptions);
    }
  } as typeof WebSocket;
}

/**
 * A tRPC WebSocket client for Node 20 (which has no global WebSocket), without
 * the per-request timer; `secureContext`: how a wss server's certificate is
 * verified when it is not by the system's CAs alone.
 */
export function createWebSocketClient(
  options: Omit<WSClientOptions, 'WebSocket'> & { secureContext?: SecureContext | undefined },
): WebSocketClient {
  const { secureContext, ...rest } = options;
  const client = createWSClient({
    ...rest,
    WebSocket: (secureContext
      ? webSocketTrusting(secureContext)
      : WebSocket) as unknown as typeof globalThis.WebSocket,
  });
  sendWithoutTimerFloor(client);
  return client;
}
