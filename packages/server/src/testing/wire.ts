import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPC_PATH } from '@nexa/core/config';
import { WebSocket } from 'ws';
import { type RunningServer, startServer } from '../startServer.js';

/** A real coordinator on port 0 with tokens for each role, for protocol tests. */
export interface WireServer {
  server: RunningServer;
  url: string;
  dataDir: string;
  token(role: 'admin' | 'member' | 'viewer' | 'worker', subject?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startWireServer(
  options: { leaseMs?: number; heartbeatMs?: number; trustedProxies?: string[] } = {},
): Promise<WireServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'nexa-wire-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    log: () => {},
    env: { HOME: dataDir, XDG_CONFIG_HOME: dataDir },
    ...options,
  });
  return {
    server,
    url: server.url,
    dataDir,
    token: async (role, subject = `test-${role}`) =>
      (await server.services.tokens.issue(role, subject)).token,
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface WireResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: a raw answer from the wire, of any shape, probed by the test
  body: any;
}

/** One tRPC call over HTTP as any client could send it; never throws for an HTTP error. */
export async function httpCall(
  url: string,
  path: string,
  options: {
    token?: string;
    input?: unknown;
    method?: 'GET' | 'POST';
    rawBody?: string | Buffer;
    query?: string;
    timeoutMs?: number;
  } = {},
): Promise<WireResponse> {
  const method =
    options.method ?? (options.rawBody !== undefined || options.input !== undefined ? 'POST' : 'GET');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const body =
    options.rawBody ??
    (method === 'POST' && options.input !== undefined ? JSON.stringify(options.input) : undefined);
  const response = await fetch(`${url}${TRPC_PATH}/${path}${options.query ?? ''}`, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, body: parsed };
}

/** The stable error code the coordinator put in a tRPC error envelope, if any. */
// biome-ignore lint/suspicious/noExplicitAny: a raw envelope from the wire, of any shape
export function nexaCode(envelope: any): string | undefined {
  const error = Array.isArray(envelope) ? envelope[0]?.error : envelope?.error;
  return error?.data?.nexa?.code ?? error?.json?.data?.nexa?.code;
}

// biome-ignore lint/suspicious/noExplicitAny: raw JSON-RPC frames, probed by the tests
type Message = { id?: number | string | null; result?: any; error?: any };

/**
 * A bare tRPC WebSocket client speaking JSON-RPC frames, so tests can send
 * what a real client never would and pause reading like a stuck one.
 */
export class RawSocket {
  readonly socket: WebSocket;
  private nextId = 1;
  private readonly handlers = new Map<number | string, (message: Message) => void>();
  readonly strays: Message[] = [];
  closed: Promise<{ code: number; reason: string }>;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    this.closed = new Promise((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    socket.on('message', (data) => {
      const text = data.toString();
      if (text === 'PING') return socket.send('PONG');
      if (text === 'PONG') return;
      const message = JSON.parse(text) as Message;
      const handler = message.id != null ? this.handlers.get(message.id) : undefined;
      if (handler) handler(message);
      else this.strays.push(message);
    });
    socket.on('error', () => {});
  }

  static async open(url: string, token: string | null, client?: string): Promise<RawSocket> {
    const wsUrl = `${url.replace(/^http/, 'ws')}/${token === null ? '' : '?connectionParams=1'}`;
    const socket = new WebSocket(wsUrl);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    if (token !== null)
      socket.send(
        JSON.stringify({ method: 'connectionParams', data: { token, ...(client ? { client } : {}) } }),
      );
    return new RawSocket(socket);
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  /** A query or mutation: resolves with the result data or the error envelope. */
  call(method: 'query' | 'mutation', path: string, input?: unknown, timeoutMs = 30_000): Promise<Message> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${path} got no answer in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.handlers.set(id, (message) => {
        clearTimeout(timer);
        this.handlers.delete(id);
        resolve(message);
      });
      this.send({ id, method, params: { path, input } });
    });
  }

  /** A subscription: every message for it, in order, through `onMessage`. */
  subscribe(path: string, input: unknown, onMessage: (message: Message) => void): number {
    const id = this.nextId++;
    this.handlers.set(id, onMessage);
    this.send({ id, method: 'subscription', params: { path, input } });
    return id;
  }

  /** Stops reading from the socket, like a client that hangs: the server's output backs up. */
  pauseReading(): void {
    (this.socket as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  resumeReading(): void {
    (this.socket as unknown as { _socket: { resume(): void } })._socket.resume();
  }

  close(): void {
    this.socket.terminate();
  }
}
