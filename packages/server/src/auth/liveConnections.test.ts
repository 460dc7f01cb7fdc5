import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type RunningServer, startServer } from '../startServer.js';

let dir: string;
let server: RunningServer;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nexa-live-'));
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir: join(dir, 'data'),
    log: () => {},
    env: { XDG_CONFIG_HOME: join(dir, 'config'), HOME: dir },
  });
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

interface Opened {
  socket: WebSocket;
  messages: unknown[];
  closed: Promise<{ code: number; reason: string; at: number }>;
}

/** A raw tRPC WebSocket client: connection params with the token, then one subscription. */
async function subscribe(token: string): Promise<Opened> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/?connectionParams=1`);
  const messages: unknown[] = [];
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })),
  );
  socket.on('message', (data) => {
    const text = data.toString();
    if (text === 'PING') socket.send('PONG');
    else messages.push(JSON.parse(text));
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
  socket.send(
    JSON.stringify({ id: 1, method: 'subscription', params: { path: 'approvals.watch', input: undefined } }),
  );
  // The subscription is live once the server says it started.
  const started = Date.now();
  while (!messages.some((m) => (m as { result?: { type?: string } }).result?.type === 'started')) {
    if (Date.now() - started > 5000) throw new Error(`no started message: ${JSON.stringify(messages)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { socket, messages, closed };
}

async function whoami(token: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${server.port}/trpc/auth.whoami`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return response.status;
}

describe('open connections and their tokens', () => {
  it('closes a WebSocket within a second of its token being revoked, and refuses HTTP at once', async () => {
    const { tokens } = server.services;
    const member = await tokens.issue('member', 'alice');
    const other = await tokens.issue('member', 'bob');
    const open = await subscribe(member.token);
    const bystander = await subscribe(other.token);
    const revokedAt = Date.now();
    await tokens.revoke(member.jti);
    const closed = await open.closed;
    expect(closed.code).toBe(4001);
    expect(closed.reason).toBe('token revoked');
    expect(closed.at - revokedAt).toBeLessThan(1000);
    expect(await whoami(member.token)).toBe(401);
    expect(bystander.socket.readyState).toBe(WebSocket.OPEN);
    expect(await whoami(other.token)).toBe(200);
    bystander.socket.close();
  });

  it('closes a WebSocket within a second of its token expiring', async () => {
    const member = await server.services.tokens.issue('member', 'alice', 2);
    const open = await subscribe(member.token);
    expect(await whoami(member.token)).toBe(200);
    const closed = await open.closed;
    expect(closed.code).toBe(4001);
    expect(closed.reason).toBe('token expired');
    // JWT expiry has second resolution: the token dies at its `exp` second.
    const exp = Math.floor(Date.parse(member.expiresAt as string) / 1000) * 1000;
    expect(closed.at - exp).toBeLessThan(1000);
    expect(await whoami(member.token)).toBe(401);
  });
});

describe('LiveConnections', () => {
  const fakeSocket = (readyState: number) => {
    const closes: [number, string][] = [];
    const listeners: (() => void)[] = [];
    return {
      readyState,
      closes,
      close: (code: number, reason: string) => closes.push([code, reason]),
      terminate: () => {},
      once: (_event: 'close', listener: () => void) => listeners.push(listener),
      emitClose: () => {
        for (const listener of listeners) listener();
      },
    };
  };

  it('forgets a socket once it closes, and never keeps one that closed while its token was checked', async () => {
    const { LiveConnections } = await import('./liveConnections.js');
    const live = new LiveConnections();
    const open = fakeSocket(1);
    live.add('j1', open, null);
    expect(live.count('j1')).toBe(1);
    open.emitClose();
    expect(live.count('j1')).toBe(0);
    live.add('j2', fakeSocket(3), Date.now() + 60_000); // already closed: its close event is gone
    expect(live.count('j2')).toBe(0);
  });
});
