/** The WebSocket close code for "your credential is no longer good": in the 4000-4999 range kept for applications. */
export const TOKEN_ENDED_CLOSE_CODE = 4001;

export type TokenEndReason = 'token revoked' | 'token expired' | 'task attempt ended';

/** What this registry needs of a socket (ws's WebSocket has it). */
export interface ClosableSocket {
  /** As in ws: 0 connecting, 1 open, 2 closing, 3 closed. */
  readyState: number;
  close(code: number, reason: string): void;
  terminate(): void;
  once(event: 'close', listener: () => void): unknown;
}

/** How long a closed connection may take to finish the closing handshake before it is cut. */
const CLOSE_GRACE_MS = 500;

// setTimeout fires at once for delays above 2^31-1 ms (about 24.8 days): re-arm in steps instead.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The open WebSocket connections by the jti of the token they authenticated
 * with. A WebSocket authenticates once, when it opens, so without this a
 * connection would outlive its token: revoking a token ends its connections
 * at once, and each connection is ended when its token expires.
 */
export class LiveConnections {
  private readonly byJti = new Map<string, Set<ClosableSocket>>();

  /** Watches a socket until it closes; `expiresAt` (epoch ms) is when its token stops being valid. */
  add(jti: string, socket: ClosableSocket, expiresAt: number | null): void {
    // Gone while its token was being checked: its close event has passed, so it would stay here forever.
    if (socket.readyState >= 2) return;
    const sockets = this.byJti.get(jti) ?? new Set();
    this.byJti.set(jti, sockets.add(socket));
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      if (expiresAt === null) return;
      const left = expiresAt - Date.now();
      if (left <= 0) return this.end(socket, 'token expired');
      timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      timer.unref();
    };
    socket.once('close', () => {
      clearTimeout(timer);
      const set = this.byJti.get(jti);
      set?.delete(socket);
      if (set?.size === 0) this.byJti.delete(jti);
    });
    arm();
  }

  /** Ends every open connection of a token (on revocation). */
  endToken(jti: string, reason: TokenEndReason): void {
    for (const socket of this.byJti.get(jti) ?? []) this.end(socket, reason);
  }

  /** How many connections are open with this token (for tests and metrics). */
  count(jti: string): number {
    return this.byJti.get(jti)?.size ?? 0;
  }

  private end(socket: ClosableSocket, reason: TokenEndReason): void {
    // Closing the socket ends its subscriptions: tRPC aborts them when the socket closes.
    socket.close(TOKEN_ENDED_CLOSE_CODE, reason);
    // A peer that never answers the close frame must not keep the connection (and its calls) alive.
    setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
  }
}
