// What a task under `--network allowlist` pays for its walls: requests through the worker's egress
// proxy (a unix socket; the in-sandbox bridge is a plain byte pipe in front of it) beside the same
// requests made straight to the server, interleaved in one run. Plain HTTP (absolute form) and a
// CONNECT tunnel, each on a fresh connection as a CLI makes them, and a download through a tunnel.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { figure } from './result.mjs';
import { percentile } from './stats.mjs';

export const egressFlags = {};

const DOWNLOAD_BYTES = 16 * 1024 * 1024;

/** A GET on a fresh connection; resolves with the body's length. */
function get(options) {
  return new Promise((resolve, reject) => {
    const req = request({ agent: false, ...options }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => resolve(bytes));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A CONNECT through the proxy, then a GET over the tunnel; resolves when the whole answer is in. */
function tunnelled(proxyPath, port, path, expectBytes) {
  return new Promise((resolve, reject) => {
    const socket = connect(proxyPath);
    socket.on('error', reject);
    socket.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    let phase = 'connect';
    let seen = 0;
    socket.on('data', (chunk) => {
      if (phase === 'connect') {
        if (!String(chunk).startsWith('HTTP/1.1 200')) return reject(new Error(`CONNECT: ${chunk}`));
        phase = 'get';
        socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
        return;
      }
      seen += chunk.length;
    });
    socket.on('end', () => (seen >= expectBytes ? resolve(seen) : reject(new Error(`short: ${seen}`))));
  });
}

/** The same GET straight over TCP. */
function direct(port, path, expectBytes) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', reject);
    socket.on('connect', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
    );
    let seen = 0;
    socket.on('data', (chunk) => (seen += chunk.length));
    socket.on('end', () => (seen >= expectBytes ? resolve(seen) : reject(new Error(`short: ${seen}`))));
  });
}

async function timed(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

export async function benchEgress({ quick }) {
  const { startEgressProxy } = await import('../../packages/worker/dist/egress/proxy.js');
  const { allowlist } = await import('../../packages/worker/dist/egress/allowlist.js');
  const blob = Buffer.alloc(DOWNLOAD_BYTES, 'x');
  const server = createServer((req, res) => res.end(req.url === '/big' ? blob : 'ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  const dir = await mkdtemp(join(tmpdir(), 'nexa-bench-egress-'));
  let refused = 0;
  const proxy = await startEgressProxy({
    path: join(dir, 'proxy.sock'),
    allowlist: allowlist([`127.0.0.1:${port}`]),
    refused: () => refused++,
  });
  try {
    const rounds = quick ? 200 : 1000;
    const samples = { http: [], httpRaw: [], tunnel: [], tunnelRaw: [] };
    for (let i = 0; i < rounds; i++) {
      samples.http.push(
        await timed(() =>
          get({
            socketPath: proxy.path,
            path: `http://127.0.0.1:${port}/`,
            headers: { host: `127.0.0.1:${port}` },
          }),
        ),
      );
      samples.httpRaw.push(await timed(() => get({ host: '127.0.0.1', port, path: '/' })));
      samples.tunnel.push(await timed(() => tunnelled(proxy.path, port, '/', 2)));
      samples.tunnelRaw.push(await timed(() => direct(port, '/', 2)));
    }
    const downloads = quick ? 3 : 10;
    const download = { nexa: [], raw: [] };
    for (let i = 0; i < downloads; i++) {
      download.nexa.push(await timed(() => tunnelled(proxy.path, port, '/big', DOWNLOAD_BYTES)));
      download.raw.push(await timed(() => direct(port, '/big', DOWNLOAD_BYTES)));
    }
    const mibPerSecond = (ms) => DOWNLOAD_BYTES / 1024 / 1024 / (ms / 1000);
    const p = percentile;
    return {
      name: 'egress',
      title:
        "A task's requests through the worker's egress proxy (allowlist), beside the same requests made directly",
      rows: [
        figure('plain HTTP request, fresh connection, p50', {
          nexa: p(samples.http, 50),
          raw: p(samples.httpRaw, 50),
          unit: 'ms',
        }),
        figure('plain HTTP request, fresh connection, p99', {
          nexa: p(samples.http, 99),
          raw: p(samples.httpRaw, 99),
          unit: 'ms',
        }),
        figure('CONNECT tunnel + request, p50', {
          nexa: p(samples.tunnel, 50),
          raw: p(samples.tunnelRaw, 50),
          unit: 'ms',
        }),
        figure('CONNECT tunnel + request, p99', {
          nexa: p(samples.tunnel, 99),
          raw: p(samples.tunnelRaw, 99),
          unit: 'ms',
        }),
        figure('16 MiB download through a tunnel (median)', {
          nexa: mibPerSecond(p(download.nexa, 50)),
          raw: mibPerSecond(p(download.raw, 50)),
          unit: 'MiB/s',
          better: 'higher',
        }),
      ],
      notes: [
        `${rounds} rounds of each request, interleaved; ${downloads} downloads each way; ${refused} refused (expected 0)`,
      ],
      data: samples,
    };
  } finally {
    await proxy.close();
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
