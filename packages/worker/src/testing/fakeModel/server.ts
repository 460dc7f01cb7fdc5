import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fake model API on loopback, and what agents asked it. */
export interface FakeModelServer {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  /** Every request with a body, in order; `body` is the parsed JSON (or the raw text if it was not JSON). */
  // biome-ignore lint/suspicious/noExplicitAny: tests dig into provider-specific request shapes
  requests: { path: string; body: any }[];
  close(): Promise<void>;
}

export interface FakeRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export type FakeHandler = (request: FakeRequest, response: ServerResponse) => void | Promise<void>;

function readBody(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('error', reject);
    request.once('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        resolve(text);
      }
    });
  });
}

/** Starts `handle` on 127.0.0.1 at a free port; a handler that throws answers 500 rather than hanging the agent. */
export async function startFakeServer(handle: FakeHandler): Promise<FakeModelServer> {
  const requests: FakeModelServer['requests'] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const body = await readBody(request);
      if (body !== undefined) requests.push({ path: url.pathname, body });
      await handle(
        { method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, body },
        response,
      );
    })().catch((error: unknown) => {
      if (!response.headersSent)
        sendJson(response, 500, { error: { type: 'fake_error', message: String(error) } });
      else response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** Writes a whole server-sent event stream: one `event:`/`data:` pair per entry, then ends the response. */
export function sendSse(response: ServerResponse, events: { event?: string; data: unknown }[]): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const { event, data } of events) {
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    response.write(`${event ? `event: ${event}\n` : ''}data: ${text}\n\n`);
  }
  response.end();
}
