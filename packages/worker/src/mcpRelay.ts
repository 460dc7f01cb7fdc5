import { createServer, isIP, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { dirname, join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { trustingCa } from '@nexa/core/client';
import { listenInCorner, ownDir } from './ownCorner.js';

/** Where the relay listens, inside a working copy (`/work/.nexa/mcp.sock` in a walled sandbox). */
export const MCP_SOCKET = '.nexa/mcp.sock';

/** sockaddr_un holds 108 bytes with the closing NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

export interface McpRelay {
  /** The socket's path on this machine. */
  path: string;
  /** Stops listening and cuts every connection. */
  close(): Promise<void>;
}

/**
 * A unix socket in the working copy whose every connection is piped to the
 * coordinator: how `nexa mcp` inside a sandbox (no network of its own,
 * perhaps) reaches it. Mode 0666, so a container's non-root user can connect;
 * the socket is inside the task's own copy, which only that task sees.
 * Returns a sentence instead when the path cannot be a socket.
 */
export async function startMcpRelay(
  workdir: string,
  server: string,
  /** PEM of a private CA an https coordinator's certificate is checked against, besides the system's. */
  ca?: string,
): Promise<McpRelay | string> {
  const path = join(workdir, MCP_SOCKET);
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    return `nexa mcp is not offered: the socket path ${path} is ${bytes} bytes, more than a unix socket's ${MAX_SOCKET_PATH_BYTES} (give the worker a shorter --data-dir)`;
  }
  const target = coordinatorAddress(server);
  // The sandbox speaks plain ws over the socket; the leg to the coordinator is TLS, verified as the worker's own.
  const secureContext = ca ? trustingCa(ca) : undefined;
  ownDir(workdir, dirname(MCP_SOCKET));
  const connections = new Set<Socket>();
  const relay: Server = createServer((inbound) => {
    const outbound =
      'path' in target
        ? tcpConnect({ path: target.path })
        : target.tls
          ? tlsConnect({
              host: target.host,
              port: target.port,
              ...(isIP(target.host) ? {} : { servername: target.host }),
              ...(secureContext ? { secureContext } : {}),
            })
          : tcpConnect({ host: target.host, port: target.port });
    connections.add(inbound).add(outbound);
    const forget = () => {
      inbound.destroy();
      outbound.destroy();
      connections.delete(inbound);
      connections.delete(outbound);
    };
    inbound.on('error', forget).on('close', forget);
    outbound.on('error', forget).on('close', forget);
    inbound.pipe(outbound).pipe(inbound);
  });
  // A container's user is not the worker's: it must be able to connect (the socket is in the
  // task's own working copy, which only that task sees).
  const removeSocket = await listenInCorner(relay, path, 0o666);
  return {
    path,
    async close() {
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
      removeSocket(); // not through a link the task put where .nexa was (listenInCorner)
    },
  };
}

/** Where the coordinator listens, from the worker's --server URL (http, https, ws, wss, unix:/path). */
export function coordinatorAddress(
  server: string,
): { host: string; port: number; tls: boolean } | { path: string } {
  if (server.startsWith('unix:')) return { path: server.slice('unix:'.length) };
  const url = new URL(server);
  const tls = url.protocol === 'https:' || url.protocol === 'wss:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port ? Number(url.port) : tls ? 443 : 80, tls };
}
