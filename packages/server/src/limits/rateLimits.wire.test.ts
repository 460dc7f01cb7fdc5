import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { limits } from '@nexa/core';
import { TRPC_PATH } from '@nexa/core/config';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpCall, nexaCode, RawSocket, startWireServer, type WireServer } from '../testing/wire.js';

let wire: WireServer;
beforeEach(async () => {
  wire = await startWireServer();
});
afterEach(() => wire.close());

/** auth.whoami over HTTP from a chosen loopback address (all of 127/8 reaches a server on 127.0.0.1). */
function whoamiFrom(
  localAddress: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${wire.url}${TRPC_PATH}/auth.whoami`,
      { localAddress, headers: { authorization: `Bearer ${token}`, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('failed authentications from one address', () => {
  it('make it wait: after the free ones even a good token from it is refused (429, Retry-After), other addresses are not', async () => {
    const good = await wire.token('member', 'alice');
    for (let i = 0; i <= limits.rates.authFailuresFree; i++) {
      const refused = await httpCall(wire.url, 'auth.whoami', { token: `not-a-token-${i}` });
      expect(refused.status).toBe(401);
    }
    const waiting = await httpCall(wire.url, 'auth.whoami', { token: good });
    expect(waiting.status).toBe(429);
    expect(waiting.headers.get('retry-after')).toBe('1');
    expect(nexaCode(waiting.body)).toBe('rate_limited');
    expect(waiting.body.error.data.nexa).toMatchObject({
      message: 'too many failed authentications from 127.0.0.1: every request from it is refused for now',
      hint: 'wait 1 s and retry',
    });
    // Once the wait is over, one more failure makes the address wait twice as long.
    await sleep(Number(waiting.headers.get('retry-after')) * 1000);
    expect((await httpCall(wire.url, 'auth.whoami', { token: 'not-a-token-again' })).status).toBe(401);
    const longer = await httpCall(wire.url, 'auth.whoami', { token: good });
    expect([longer.status, longer.headers.get('retry-after')]).toEqual([429, '2']);

    // A WebSocket from the same address: its calls are refused the same way.
    const socket = await RawSocket.open(wire.url, good);
    const overWs = await socket.call('query', 'auth.whoami');
    expect(overWs.error?.data?.nexa?.code).toBe('rate_limited');
    // Closed when the wait is over, so its client dials again instead of being refused for good.
    expect((await socket.closed).code).toBe(4429);

    // Another address is another count: its good token works, the server is fine.
    const other = await whoamiFrom('127.0.0.2', good);
    expect(other.status).toBe(200);
    expect(JSON.parse(other.body).result.data).toMatchObject({ subject: 'alice' });
    expect((await fetch(`${wire.url}/healthz`)).status).toBe(200);

    // Every failure counted is audited with its address; the wait is audited once.
    const audit = wire.server.services.audit;
    const failed = await audit.list({ action: 'auth.failed' });
    expect(failed).toHaveLength(limits.rates.authFailuresFree + 2);
    expect(failed[0]).toMatchObject({
      actor: null,
      from: '127.0.0.1',
      detail: 'the token was not signed by this server',
    });
    expect(await audit.list({ action: 'rate.limited' })).toEqual([
      expect.objectContaining({ target: 'authentication', from: '127.0.0.1' }),
    ]);
  });
});

describe('behind a trusted reverse proxy (--trusted-proxy)', () => {
  it('counts failures by the client the proxy names, not by the proxy; an untrusted peer cannot pick its address', async () => {
    await wire.close();
    wire = await startWireServer({ trustedProxies: ['127.0.0.1'] });
    const good = await wire.token('member', 'alice');
    const viaProxy = (client: string, token: string) =>
      whoamiFrom('127.0.0.1', token, { 'x-forwarded-for': `6.6.6.6, ${client}` });
    for (let i = 0; i <= limits.rates.authFailuresFree; i++) {
      expect((await viaProxy('198.51.100.7', `not-a-token-${i}`)).status).toBe(401);
    }
    expect((await viaProxy('198.51.100.7', good)).status).toBe(429);
    // Another client behind the same proxy, and the proxy's own requests, are served.
    expect((await viaProxy('198.51.100.8', good)).status).toBe(200);
    expect((await whoamiFrom('127.0.0.1', good)).status).toBe(200);
    // A peer that is not a trusted proxy is its own address whatever header it sends.
    expect((await whoamiFrom('127.0.0.2', good, { 'x-forwarded-for': '198.51.100.8' })).status).toBe(200);
    for (let i = 0; i <= limits.rates.authFailuresFree; i++) {
      await whoamiFrom('127.0.0.2', `bad-${i}`, { 'x-forwarded-for': '198.51.100.9' });
    }
    expect((await viaProxy('198.51.100.9', good)).status).toBe(200);
    expect((await whoamiFrom('127.0.0.2', good)).status).toBe(429);
    const failed = await wire.server.services.audit.list({ action: 'auth.failed' });
    expect(new Set(failed.map((entry) => entry.from))).toEqual(new Set(['198.51.100.7', '127.0.0.2']));
  });
});

describe('WebSockets of one token', () => {
  it(`refuse the calls of socket ${limits.rates.connectionsPerPrincipal + 1}, not another token's; a closed one frees its place`, async () => {
    const busy = await wire.token('member', 'busy');
    const sockets: RawSocket[] = [];
    for (let i = 0; i < limits.rates.connectionsPerPrincipal; i++) {
      const socket = await RawSocket.open(wire.url, busy);
      // Answered: the server has counted this socket before the next one opens.
      expect((await socket.call('query', 'auth.whoami')).result?.data).toMatchObject({ subject: 'busy' });
      sockets.push(socket);
    }
    const extra = await RawSocket.open(wire.url, busy);
    const refused = await extra.call('query', 'auth.whoami');
    expect(refused.error?.data?.nexa).toMatchObject({
      code: 'rate_limited',
      message: `this token already has ${limits.rates.connectionsPerPrincipal} WebSockets open (the limit)`,
    });
    expect((await extra.closed).code).toBe(4429);

    const otherToken = await RawSocket.open(wire.url, await wire.token('member', 'calm'));
    expect((await otherToken.call('query', 'auth.whoami')).result?.data).toMatchObject({ subject: 'calm' });
    otherToken.close();
    expect((await fetch(`${wire.url}/healthz`)).status).toBe(200);

    // One closes (the server sees it go: a client closing cleanly waits for its close handshake).
    const leaving = sockets.pop() as RawSocket;
    leaving.socket.close();
    await leaving.closed;
    const again = await RawSocket.open(wire.url, busy);
    expect((await again.call('query', 'auth.whoami')).result?.data).toMatchObject({ subject: 'busy' });
    for (const socket of [...sockets, again]) socket.close();
  });
});
