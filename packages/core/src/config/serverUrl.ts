import { NexaError } from '../errors.js';

export const DEFAULT_PORT = 7420;
export const DEFAULT_SERVER_URL = `http://127.0.0.1:${DEFAULT_PORT}`;

/**
 * Accepts what a person types (`host:port`, `http://…`, `ws://…`) and returns
 * the canonical `http(s)://host:port` form used as the credentials key.
 */
export function normalizeServerUrl(input: string): string {
  let text = input.trim();
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
  return `${serverUrl}${TRPC_PATH}`;
}

/** The WebSocket URL (tRPC with subscriptions) for a canonical server URL. */
export function webSocketUrl(serverUrl: string): string {
  return `${serverUrl.replace(/^http/, 'ws')}${TRPC_PATH}`;
}
