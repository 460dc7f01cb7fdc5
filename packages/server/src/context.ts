import type { IncomingMessage } from 'node:http';
import { NexaError, type Principal } from '@nexa/core';
import type { ClosableSocket } from './auth/liveConnections.js';
import { clientAddress } from './http/clientAddress.js';
import { RateLimited } from './limits/rateLimits.js';
import { drainGate } from './limits/socketDrain.js';
import type { Services } from './services/index.js';

/** How far a WebSocket's unsent output may grow before a subscription waits for it to drain. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface Context {
  services: Services;
  principal: Principal | null;
  /** Why there is no principal: no token, or the token was refused. */
  authError: NexaError | null;
  /** Resolves once the caller's connection can take more output (bounds a slow subscriber). */
  waitForDrain: () => Promise<void>;
  /**
   * Per connection: the worker this connection registered as. A WebSocket
   * shares one context across its calls, so a worker's appends and
   * heartbeats are tied to the session it opened, not to an id it claims.
   */
  connection: { workerId: string | null };
  /** The address the request came from (the audit log's "from"); null in-process. */
  remoteAddress: string | null;
}

/** The context without any network: what router tests use with `createCaller`. */
export function createContextInner(opts: {
  services: Services;
  principal?: Principal | null;
  authError?: NexaError | null;
  waitForDrain?: () => Promise<void>;
  remoteAddress?: string | null;
}): Context {
  return {
    services: opts.services,
    principal: opts.principal ?? null,
    authError: opts.authError ?? null,
    waitForDrain: opts.waitForDrain ?? (async () => {}),
    connection: { workerId: null },
    remoteAddress: opts.remoteAddress ?? null,
  };
}

async function authenticate(
  services: Services,
  token: string | undefined,
  verify = (token: string) => services.tokens.verify(token),
) {
  if (!token) {
    return { principal: null, authError: new NexaError('unauthorized', 'no token was sent') };
  }
  try {
    return { principal: await verify(token), authError: null };
  } catch (error) {
    if (error instanceof NexaError) return { principal: null, authError: error };
    throw error;
  }
}

/**
 * Authenticates a request from an address, unless that address is waiting
 * after too many failed authentications (then it is refused unread, whatever
 * its token). A token that is refused counts against its address.
 */
async function authenticateFrom(
  services: Services,
  token: string | undefined,
  remoteAddress: string | null,
  verify?: (token: string) => Promise<Principal>,
): Promise<{ principal: Principal | null; authError: NexaError | null }> {
  const waiting = services.rates.authRefusal(remoteAddress);
  if (waiting) return { principal: null, authError: waiting };
  const auth = await authenticate(services, token, verify);
  if (auth.authError && token) services.rates.authFailed(remoteAddress, auth.authError);
  return auth;
}

/** HTTP requests carry `Authorization: Bearer <token>`. */
export async function createHttpContext(services: Services, req: IncomingMessage): Promise<Context> {
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
  const remoteAddress = clientAddress(req, services.options.trustedProxies);
  const auth = await authenticateFrom(services, token, remoteAddress);
  if (auth.principal) services.presence.called(auth.principal);
  return createContextInner({ services, ...auth, remoteAddress });
}

/** The WebSocket close code for "rate limited: dial again" (in the 4000-4999 range kept for applications). */
export const RATE_LIMITED_CLOSE_CODE = 4429;

function closeAfter(socket: ClosableSocket, ms: number): void {
  const timer = setTimeout(() => socket.close(RATE_LIMITED_CLOSE_CODE, 'rate limited: dial again'), ms);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

interface BufferedSocket extends ClosableSocket {
  bufferedAmount: number;
  readyState: number;
}

/** WebSocket connections carry the token in tRPC connection params. */
export async function createWsContext(
  services: Services,
  socket: BufferedSocket,
  connectionParams: Record<string, string> | null,
  remoteAddress: string | null = null,
): Promise<Context> {
  // The socket is watched: revoking or outliving its token closes it (auth/liveConnections.ts).
  let auth = await authenticateFrom(services, connectionParams?.token, remoteAddress, (token) =>
    services.tokens.verifyConnection(token, socket),
  );
  // A token with too many sockets open: this one's calls are refused (closing it would make its client redial).
  const crowded = auth.principal && services.rates.openSocket(auth.principal, socket, remoteAddress);
  if (crowded) auth = { principal: null, authError: crowded };
  // A socket keeps the context it opened with: one refused for a while is closed when the while
  // is over, so its client dials again and is judged afresh instead of being refused for good.
  if (auth.authError instanceof RateLimited) closeAfter(socket, auth.authError.retryAfterSeconds * 1000);
  // Presence: a person with an open socket is on line, with the client it named (tui, cli, mcp).
  if (auth.principal) services.presence.connected(auth.principal, connectionParams?.client, socket);
  // One gate per socket, shared by all its subscriptions: the bound is per socket (http/socketDrain.ts).
  return createContextInner({
    services,
    ...auth,
    waitForDrain: drainGate(socket, MAX_BUFFERED_BYTES),
    remoteAddress,
  });
}
