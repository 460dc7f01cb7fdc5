/** What the drain gate needs of a WebSocket (ws's `WebSocket` has both). */
export interface BufferedSocket {
  bufferedAmount: number;
  readyState: number;
}

const OPEN = 1;

/**
 * One gate per socket that every subscription on it passes before sending.
 * While the socket's unsent output is over `maxBuffered`, senders wait in
 * line; once it drains, they go one per turn of the event loop, so the bound
 * holds for the socket however many subscriptions share it (each waking on
 * its own timer would let all of them send at once).
 */
export function drainGate(socket: BufferedSocket, maxBuffered: number): () => Promise<void> {
  const waiting: Array<() => void> = [];
  let polling = false;

  const poll = () => {
    if (socket.readyState !== OPEN) {
      for (const release of waiting.splice(0)) release();
      polling = false;
      return;
    }
    if (socket.bufferedAmount > maxBuffered) {
      setTimeout(poll, 5);
      return;
    }
    waiting.shift()?.();
    if (waiting.length === 0) {
      polling = false;
      return;
    }
    // Let the released sender's output reach bufferedAmount before the next one goes.
    setImmediate(poll);
  };

  return () => {
    if (waiting.length === 0 && (socket.bufferedAmount <= maxBuffered || socket.readyState !== OPEN)) {
      return Promise.resolve();
    }
    const turn = new Promise<void>((resolve) => waiting.push(resolve));
    if (!polling) {
      polling = true;
      setTimeout(poll, 5);
    }
    return turn;
  };
}
