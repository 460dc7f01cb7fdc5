// The bare counterpart of Nexa's event path for the stream bench, in two roles (each its own
// process, as a worker and the coordinator are):
//
//   node wsRelay.mjs relay                      a ws server: every message from a producer socket
//                                               is sent on, one message per event, to the consumer
//   node wsRelay.mjs produce URL TASKS LINES    TASKS sockets, each sending LINES events when told
//
// The relay prints its port, the producers print "ready" once connected and start on a line on stdin.
// Nothing is persisted or batched: this is the floor Nexa must beat by batching.
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const { WebSocket, WebSocketServer } = createRequire(
  new URL('../../packages/core/package.json', import.meta.url),
)('ws');

/** The same text a task's `seq`-like printing carries: one line per event. */
export const relayLine = (n) => `${n}\n`;

function relay() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  let consumer;
  server.on('connection', (socket, request) => {
    if (request.url === '/consume') consumer = socket;
    else socket.on('message', (data) => consumer?.send(data));
  });
  server.on('listening', () => console.log(server.address().port));
}

function produce(url, tasks, lines) {
  const sockets = Array.from({ length: tasks }, () => new WebSocket(`${url}/produce`));
  let open = 0;
  for (const socket of sockets)
    socket.once('open', () => {
      if (++open === tasks) console.log('ready');
    });
  // Each task sends its events as fast as its socket takes them (a callback per 100 keeps the
  // process's buffers bounded, as a pipe's would be).
  const run = async (socket, task) => {
    for (let n = 1; n <= lines; n++) {
      const message = JSON.stringify({ task, seq: n, data: relayLine(n) });
      if (n % 100 === 0 || n === lines) await new Promise((resolve) => socket.send(message, resolve));
      else socket.send(message);
    }
  };
  createInterface({ input: process.stdin }).once('line', () => {
    for (const [task, socket] of sockets.entries()) void run(socket, task);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [role, url, tasks, lines] = process.argv.slice(2);
  if (role === 'relay') relay();
  else if (role === 'produce') produce(url, Number(tasks), Number(lines));
  else {
    console.error('usage: node wsRelay.mjs relay | produce URL TASKS LINES');
    process.exit(2);
  }
}
