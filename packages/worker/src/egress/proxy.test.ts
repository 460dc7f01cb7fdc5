import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allowlist } from './allowlist.js';
import { type EgressProxy, type RefusedConnection, startEgressProxy } from './proxy.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A web server on loopback that says who it is and where it was asked. */
async function webServer(name: string): Promise<number> {
  const server = createHttpServer((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { location: `http://127.0.0.1:1/elsewhere` }).end();
      return;
    }
    res.end(`${name} ${req.method} ${req.url} host=${req.headers.host}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as { port: number }).port;
}

/** An echo server: what a tunnel carries comes back. */
async function echoServer(): Promise<number> {
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as { port: number }).port;
}

async function proxyAllowing(hosts: string[]): Promise<{ proxy: EgressProxy; refused: RefusedConnection[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'nexa-egress-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const refused: RefusedConnection[] = [];
  const proxy = await startEgressProxy({
    path: join(dir, 'proxy.sock'),
    allowlist: allowlist(hosts),
    refused: (connection) => refused.push(connection),
  });
  cleanups.push(() => proxy.close());
  return { proxy, refused };
}

/** A plain-HTTP request through the proxy, in absolute form, as a client with HTTP_PROXY sends it. */
function viaProxy(proxy: EgressProxy, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = request({
      socketPath: proxy.path,
      path: url,
      method: 'GET',
      headers: { host: URL.canParse(url) ? new URL(url).host : 'anywhere' },
    });
    sent.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

/** Sends CONNECT authority and returns the proxy's status line, with the socket for what follows. */
async function tunnel(proxy: EgressProxy, authority: string): Promise<{ status: string; socket: Socket }> {
  const socket = connect(proxy.path);
  cleanups.push(() => socket.destroy());
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n\r\n`);
  const head = await new Promise<string>((resolve) => {
    let seen = '';
    const onData = (data: Buffer) => {
      seen += data.toString('latin1');
      if (!seen.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      resolve(seen);
    };
    socket.on('data', onData);
  });
  return { status: head.split('\r\n')[0] ?? '', socket };
}

describe('the egress proxy', () => {
  it('tunnels a CONNECT to an allowed host:port, after the check, on a socket any sandbox user can reach', async () => {
    const port = await echoServer();
    const { proxy, refused } = await proxyAllowing([`127.0.0.1:${port}`]);
    expect(statSync(proxy.path).mode & 0o777).toBe(0o666);
    const { status, socket } = await tunnel(proxy, `127.0.0.1:${port}`);
    expect(status).toBe('HTTP/1.1 200 Connection Established');
    const echoed = new Promise<string>((resolve) => socket.once('data', (data) => resolve(String(data))));
    socket.write('through the tunnel');
    expect(await echoed).toBe('through the tunnel');
    expect(refused).toEqual([]);
  });

  it('answers a CONNECT to any other host or port 403 and reports it, sending nothing there', async () => {
    let reached = 0;
    const other = createServer((socket) => {
      reached++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => other.close(resolve)));
    const otherPort = (other.address() as { port: number }).port;
    const allowedPort = await echoServer();
    const { proxy, refused } = await proxyAllowing([`127.0.0.1:${allowedPort}`, 'example.com']);

    expect((await tunnel(proxy, `127.0.0.1:${otherPort}`)).status).toBe('HTTP/1.1 403 Forbidden');
    // A name that resolves to the allowed address is still not the allowed name.
    expect((await tunnel(proxy, `localhost:${allowedPort}`)).status).toBe('HTTP/1.1 403 Forbidden');
    // A host allowed without a port: 80 and 443 only.
    expect((await tunnel(proxy, 'example.com:22')).status).toBe('HTTP/1.1 403 Forbidden');
    expect(reached).toBe(0);
    expect(refused).toEqual([
      { host: '127.0.0.1', port: otherPort, reason: expect.stringContaining('not on the task') },
      { host: 'localhost', port: allowedPort, reason: expect.stringContaining('not on the task') },
      { host: 'example.com', port: 22, reason: expect.stringContaining('not on the task') },
    ]);
  });

  it('forwards a plain-HTTP request in absolute form to an allowed host and refuses the rest with 403', async () => {
    const allowed = await webServer('allowed');
    const other = await webServer('other');
    const { proxy, refused } = await proxyAllowing([`127.0.0.1:${allowed}`]);

    const answered = await viaProxy(proxy, `http://127.0.0.1:${allowed}/path?q=1`);
    expect(answered).toEqual({ status: 200, body: `allowed GET /path?q=1 host=127.0.0.1:${allowed}` });

    const denied = await viaProxy(proxy, `http://127.0.0.1:${other}/`);
    expect(denied.status).toBe(403);
    expect(denied.body).not.toContain('other');
    expect(refused.map(({ host, port }) => `${host}:${port}`)).toEqual([`127.0.0.1:${other}`]);
  });

  it('passes a redirect back without following it', async () => {
    const allowed = await webServer('allowed');
    const { proxy, refused } = await proxyAllowing([`127.0.0.1:${allowed}`]);
    const answered = await viaProxy(proxy, `http://127.0.0.1:${allowed}/moved`);
    expect(answered.status).toBe(302);
    expect(refused).toEqual([]);
  });

  it('refuses a request that is not in absolute form (it names no host) with 400', async () => {
    const { proxy, refused } = await proxyAllowing(['127.0.0.1']);
    const answered = await viaProxy(proxy, '/just-a-path');
    expect(answered.status).toBe(400);
    expect(answered.body).toContain('absolute form');
    expect(refused).toEqual([]);
  });

  it('cuts open tunnels and removes its socket when closed', async () => {
    const port = await echoServer();
    const { proxy } = await proxyAllowing([`127.0.0.1:${port}`]);
    const { socket } = await tunnel(proxy, `127.0.0.1:${port}`);
    const cut = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await proxy.close();
    await cut;
    expect(() => statSync(proxy.path)).toThrow(/ENOENT/);
  });

  it('closing removes nothing through a link the task put where its directory was', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'nexa-egress-copy-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'nexa-victim-'));
    cleanups.push(() => rmSync(copy, { recursive: true, force: true }));
    cleanups.push(() => rmSync(elsewhere, { recursive: true, force: true }));
    mkdirSync(join(copy, 'egress'));
    const proxy = await startEgressProxy({
      path: join(copy, 'egress', 'proxy.sock'),
      allowlist: allowlist([]),
      refused: () => {},
    });
    writeFileSync(join(elsewhere, 'proxy.sock'), 'not the worker’s');
    rmSync(join(copy, 'egress'), { recursive: true, force: true });
    symlinkSync(elsewhere, join(copy, 'egress'));
    await proxy.close();
    expect(readdirSync(elsewhere)).toEqual(['proxy.sock']);
  });

  it('refuses an allowed name that resolves inside the worker (its loopback), by CONNECT and plain HTTP', async () => {
    let hits = 0;
    const server = createHttpServer((_req, res) => {
      hits++;
      res.end('inside');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const port = (server.address() as { port: number }).port;
    // A name on the list (as a wildcard whose DNS someone else controls would be) that leads to 127.0.0.1.
    const { proxy, refused } = await proxyAllowing([`localhost:${port}`]);
    expect((await tunnel(proxy, `localhost:${port}`)).status).toBe('HTTP/1.1 502 Bad Gateway');
    const plain = await viaProxy(proxy, `http://localhost:${port}/`);
    expect(plain.status).toBe(502);
    expect(plain.body).toContain("resolves to 127.0.0.1, on the worker's own machine");
    expect(hits).toBe(0);
    expect(refused.map((r) => `${r.host}:${r.port}`)).toEqual([`localhost:${port}`, `localhost:${port}`]);
    // The address itself, named on the list, is reached: the operator meant it. So is a name the
    // worker itself chose (its agents' provider, e.g. a gateway on localhost).
    const { proxy: byAddress } = await proxyAllowing([`127.0.0.1:${port}`]);
    expect((await viaProxy(byAddress, `http://127.0.0.1:${port}/`)).body).toBe('inside');
    const dir = mkdtempSync(join(tmpdir(), 'nexa-egress-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const providers = await startEgressProxy({
      path: join(dir, 'proxy.sock'),
      allowlist: allowlist([`localhost:${port}`]),
      refused: () => {},
      trustedNames: ['localhost'],
    });
    cleanups.push(() => providers.close());
    expect((await viaProxy(providers, `http://localhost:${port}/`)).body).toBe('inside');
  });
});
