import { mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { makeTlsFiles } from '@nexa/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { coordinatorAddress, MAX_SOCKET_PATH_BYTES, startMcpRelay } from './mcpRelay.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function echoServer(): Promise<{ port: number; server: Server }> {
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { port: (server.address() as { port: number }).port, server };
}

/** A TLS echo server for 127.0.0.1 with a certificate from a CA of its own; that CA and another, as PEM. */
async function tlsEchoServer(): Promise<{ port: number; ca: string; otherCa: string }> {
  const files = await makeTlsFiles();
  cleanups.push(() => files.cleanup());
  const { cert, key, ca, otherCa } = files.pem;
  const server = createTlsServer({ cert, key }, (socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { port: (server.address() as { port: number }).port, ca, otherCa };
}

describe('the MCP relay', () => {
  it("speaks TLS to an https coordinator, verified with the worker's CA: another CA gets nothing through", async () => {
    const { port, ca, otherCa } = await tlsEchoServer();
    const through = async (trusted: string) => {
      const workdir = mkdtempSync(join(tmpdir(), 'nexa-relay-'));
      cleanups.push(() => rmSync(workdir, { recursive: true, force: true }));
      const relay = await startMcpRelay(workdir, `https://127.0.0.1:${port}`, trusted);
      if (typeof relay === 'string') throw new Error(relay);
      cleanups.push(() => relay.close());
      const socket = connect(relay.path);
      socket.write('plain ws from the sandbox');
      return new Promise<string>((resolve) => {
        socket.once('data', (data) => resolve(String(data)));
        socket.once('close', () => resolve('closed'));
      });
    };
    expect(await through(ca)).toBe('plain ws from the sandbox');
    expect(await through(otherCa)).toBe('closed');
  });

  it('pipes each connection on the working copy socket to the coordinator, and is gone when closed', async () => {
    const { port } = await echoServer();
    const workdir = mkdtempSync(join(tmpdir(), 'nexa-relay-'));
    cleanups.push(() => rmSync(workdir, { recursive: true, force: true }));
    const relay = await startMcpRelay(workdir, `http://127.0.0.1:${port}`);
    if (typeof relay === 'string') throw new Error(relay);
    expect(relay.path).toBe(join(workdir, '.nexa/mcp.sock'));
    expect(statSync(relay.path).mode & 0o777).toBe(0o666);

    const socket = connect(relay.path);
    const echoed = new Promise<string>((resolve) => socket.once('data', (data) => resolve(String(data))));
    socket.write('hello coordinator');
    expect(await echoed).toBe('hello coordinator');

    const cut = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await relay.close();
    await cut;
    expect(() => statSync(relay.path)).toThrow(/ENOENT/);
  });

  it('closing removes nothing through a link the task put where .nexa was', async () => {
    const { port } = await echoServer();
    const workdir = mkdtempSync(join(tmpdir(), 'nexa-relay-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'nexa-victim-'));
    cleanups.push(() => rmSync(workdir, { recursive: true, force: true }));
    cleanups.push(() => rmSync(elsewhere, { recursive: true, force: true }));
    const relay = await startMcpRelay(workdir, `http://127.0.0.1:${port}`);
    if (typeof relay === 'string') throw new Error(relay);
    // The task, as it runs, turns its copy's .nexa into a link to a directory of the host's.
    writeFileSync(join(elsewhere, 'mcp.sock'), 'not the worker’s');
    rmSync(join(workdir, '.nexa'), { recursive: true, force: true });
    symlinkSync(elsewhere, join(workdir, '.nexa'));
    await relay.close();
    expect(readdirSync(elsewhere)).toEqual(['mcp.sock']);
  });

  it('says clearly when the working copy is too deep for a unix socket', async () => {
    const deep = `/tmp/${'d'.repeat(MAX_SOCKET_PATH_BYTES)}`;
    const relay = await startMcpRelay(deep, 'http://127.0.0.1:1');
    expect(relay).toMatch(
      /^nexa mcp is not offered: the socket path .* is \d+ bytes, more than a unix socket's 107/,
    );
  });

  it('reads the coordinator address from the worker URL', () => {
    expect(coordinatorAddress('http://127.0.0.1:7420')).toEqual({
      host: '127.0.0.1',
      port: 7420,
      tls: false,
    });
    expect(coordinatorAddress('wss://nexa.example')).toEqual({ host: 'nexa.example', port: 443, tls: true });
    expect(coordinatorAddress('unix:/run/nexa.sock')).toEqual({ path: '/run/nexa.sock' });
  });
});
