import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { listenInCorner } from '../ownCorner.js';
import { type Allowlist, canonicalHost } from './allowlist.js';
import { publicLookup } from './publicLookup.js';

/** A connection the proxy refused: what the task's `egress` event says. */
export interface RefusedConnection {
  host: string;
  port: number;
  reason: string;
}

export interface EgressProxy {
  /** The unix socket it listens on. */
  path: string;
  /** Stops listening and cuts every connection, tunnels included. */
  close(): Promise<void>;
}

const isInternalRefusal = (error: Error) => (error as NodeJS.ErrnoException).code === 'EINTERNAL';

/** Connections one task may hold open through the proxy at once (tunnels and requests). */
export const MAX_CONNECTIONS = 256;

/** Headers that describe one hop, not the request: never passed on (RFC 9110 7.6.1). */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase()),
  );
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !hopByHop.has(name) && !named.has(name)),
  );
}

/** `host:port` of a CONNECT (`[::1]:443` too); undefined when it is not one. */
export function connectTarget(authority: string): { host: string; port: number } | undefined {
  const match = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(authority);
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: canonicalHost(match[1] as string), port };
}

/**
 * The worker's forward proxy for one task under `allowlist`, on a unix socket
 * in its working copy (the sandbox reaches it through its bridge): HTTP
 * CONNECT tunnels and plain-HTTP requests in absolute form, each to a host on
 * the allowlist only, checked before a byte is sent on; anything else is
 * answered 403 and reported through `refused`. Names are resolved here, on the
 * worker, and redirects are passed back to the client, never followed.
 */
export async function startEgressProxy(options: {
  path: string;
  allowlist: Allowlist;
  refused: (connection: RefusedConnection) => void;
  /** Host names the worker itself put on the list (its agents' provider): not held to publicLookup. */
  trustedNames?: readonly string[];
}): Promise<EgressProxy> {
  const { allowlist } = options;
  const trusted = new Set((options.trustedNames ?? []).map(canonicalHost));
  /** Names the worker itself chose resolve anywhere; every other name not to the worker's machine. */
  const lookupFor = (host: string) => (trusted.has(host) ? {} : { lookup: publicLookup });
  const open = new Set<Duplex>();
  const track = (socket: Duplex) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  };
  /** Reports a refusal; the answer's text, naming what was refused and why. */
  const refusal = (host: string, port: number, why?: string) => {
    const reason = why ?? `not on the task's allowlist (${allowlist.entries.join(', ') || 'empty'})`;
    options.refused({ host, port, reason });
    return `${host.includes(':') ? `[${host}]` : host}:${port} is ${reason}`;
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const answer = (status: number, text: string) => {
      response.writeHead(status, { 'content-type': 'text/plain', connection: 'close' });
      response.end(`${text}\n`);
    };
    let url: URL;
    try {
      url = new URL(request.url ?? '');
    } catch {
      return answer(
        400,
        'nexa egress proxy: send requests in absolute form (http://host/path) or use CONNECT',
      );
    }
    if (url.protocol !== 'http:') {
      return answer(400, `nexa egress proxy: ${url.protocol} is not proxied as plain HTTP; use CONNECT`);
    }
    const host = canonicalHost(url.hostname);
    const port = url.port ? Number(url.port) : 80;
    if (!allowlist.allows(host, port)) return answer(403, `nexa egress proxy: ${refusal(host, port)}`);
    const upstream = httpRequest({
      host,
      port,
      ...lookupFor(host),
      method: request.method,
      path: `${url.pathname}${url.search}`,
      headers: endToEnd(request.headers),
      agent: false,
    });
    upstream.on('response', (answered) => {
      response.writeHead(answered.statusCode ?? 502, answered.statusMessage, endToEnd(answered.headers));
      answered.pipe(response);
    });
    upstream.on('error', (error) => {
      if (isInternalRefusal(error)) refusal(host, port, error.message);
      if (response.headersSent) response.destroy();
      else answer(502, `nexa egress proxy: ${host}:${port}: ${error.message}`);
    });
    response.on('close', () => upstream.destroy());
    request.pipe(upstream);
  });

  server.on('connect', (request: IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    client.on('error', () => client.destroy());
    const target = connectTarget(request.url ?? '');
    if (!target) {
      client.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\nCONNECT takes host:port\n');
      return;
    }
    const { host, port } = target;
    if (!allowlist.allows(host, port)) {
      const said = refusal(host, port);
      client.end(
        `HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nnexa egress proxy: ${said}\n`,
      );
      return;
    }
    const upstream: Socket = connect({ host, port, ...lookupFor(host) });
    track(upstream);
    let established = false;
    upstream.once('connect', () => {
      established = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', (error) => {
      if (isInternalRefusal(error)) refusal(host, port, error.message);
      if (!established) {
        client.end(
          `HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\n\r\n${host}:${port}: ${error.message}\n`,
        );
      } else client.destroy();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  // The worker's sockets and descriptors are not the task's to spend: past this, new connections are dropped.
  server.maxConnections = MAX_CONNECTIONS;
  server.on('connection', track);
  server.on('clientError', (_error, socket) => socket.destroy());

  // A container's user is not the worker's: it must be able to connect (the socket is in the
  // task's own working copy, which only that task sees).
  const removeSocket = await listenInCorner(server, options.path, 0o666);
  return {
    path: options.path,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      removeSocket(); // not through a link the task put where .nexa was (listenInCorner)
    },
  };
}
