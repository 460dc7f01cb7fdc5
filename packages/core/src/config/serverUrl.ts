import { NexaError } from '../errors.js';

export const DEFAULT_PORT = 7420;
export const DEFAULT_SERVER_URL = `http://127.0.0.1:${DEFAULT_PORT}`;

/**
 * A coordinator reached through a local unix socket, `unix:/abs/path.sock`:
 * how `nexa mcp` inside a sandbox reaches it (the worker pipes the socket to
 * the coordinator). Only the WebSocket transport can use it.
 */
export const UNIX_SERVER_PREFIX = 'unix:';

export function isUnixServer(serverUrl: string): boolean {
  return serverUrl.startsWith(UNIX_SERVER_PREFIX);
}

/** `unix:/abs/path.sock` as given, checked: ws takes the first ':' of the path as the end of the socket's path. */
function normalizeUnixServer(input: string): string {
  const path = input.slice(UNIX_SERVER_PREFIX.length);
  if (!path.startsWith('/') || path.includes(':') || /[\s?#]/.test(path)) {
    throw new NexaError('invalid_input', `"${input}" is not a unix socket server`, {
      hint: 'use the form unix:/absolute/path.sock (no ":", "?", "#" or spaces in the path)',
    });
  }
  return `${UNIX_SERVER_PREFIX}${path}`;
}

/**
 * Accepts what a person types (`host:port`, `http://…`, `ws://…`) and returns
 * the canonical `http(s)://host:port` form used as the credentials key;
 * `unix:/abs/path.sock` stays as it is.
 */
export function normalizeServerUrl(input: string): string {
  let text = input.trim();
  if (isUnixServer(text)) return normalizeUnixServer(text);
  if (!/^[a-z]+:\/\//i.test(text)) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new NexaError('invalid_input', `"${input}" is not a server URL`, {
      hint: 'use the form http://HOST:PORT, e.g. http://127.0.0.1:7420',
    });
  }
  const protocol = { 'http:': 'http:', 'ws:': 'http:', 'https:': 'https:', 'wss:': 'https:' }[url.protocol];
  if (!protocol) {
    throw new NexaError('invalid_input', `"${input}" is not an http(s) or ws(s) URL`, {
      hint: 'use the form http://HOST:PORT',
    });
  }
  url.protocol = protocol;
  return url.origin;
}

/** Where tRPC is served over HTTP (queries and mutations), under the server URL. */
export const TRPC_PATH = '/trpc';

export function trpcHttpUrl(serverUrl: string): string {
  if (isUnixServer(serverUrl)) {
    throw new NexaError('invalid_input', `${serverUrl} is a unix socket: it needs the websocket transport`, {
      hint: 'reach it with a client made with transport "websocket" (nexa mcp does)',
    });
  }
  return `${serverUrl}${TRPC_PATH}`;
}

/** The WebSocket URL (tRPC with subscriptions) for a canonical server URL; ws's `ws+unix:` form for a unix socket. */
export function webSocketUrl(serverUrl: string): string {
  if (isUnixServer(serverUrl)) return `ws+unix://${serverUrl.slice(UNIX_SERVER_PREFIX.length)}:${TRPC_PATH}`;
  return `${serverUrl.replace(/^http/, 'ws')}${TRPC_PATH}`;
}
