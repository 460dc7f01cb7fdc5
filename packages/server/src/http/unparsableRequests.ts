import { maxHeaderSize, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { nexaErrorBody } from './errorEnvelope.js';

/** Node's parser errors that mean "your headers (or URL) are too big", as opposed to "this is not HTTP". */
const tooLarge = new Set(['HPE_HEADER_OVERFLOW']);

/** How long a refused connection may go on sending what we will not read, before it is cut. */
const LINGER_MS = 5000;

/**
 * Answers requests Node's HTTP parser rejects (a URL or headers over
 * `maxHeaderSize`, bytes that are not HTTP) with the typed JSON envelope,
 * where Node alone would write a bare status line or reset the connection.
 */
export function answerUnparsableRequests(server: Server): void {
  // Node's parser stays failed and reports the same error again for every later chunk of the
  // request: answering (or destroying) again would reset a client still writing, before it reads.
  const answered = new WeakSet<Socket>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    if (answered.has(socket)) return;
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    answered.add(socket);
    const [status, reason, message, hint] = tooLarge.has(error.code ?? '')
      ? [
          431,
          'Request Header Fields Too Large',
          `the request's URL and headers are larger than the limit of ${maxHeaderSize} bytes`,
          'send large inputs as a POST body',
        ]
      : [400, 'Bad Request', 'not a valid HTTP request', undefined];
    const body = nexaErrorBody(status, 'invalid_input', message, hint);
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    // Keep reading (and dropping) what the client still sends, so closing does not reset the
    // connection before the client has read the answer; a client that never stops is cut.
    socket.resume();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
}
