import { join } from 'node:path';
import type { AgentName, AllowedHost } from '@nexa/core';
import { MAX_SOCKET_PATH_BYTES } from '../mcpRelay.js';
import type { SandboxNetwork } from '../sandbox/sandbox.js';
import { allowlist, providerHosts } from './allowlist.js';
import { EGRESS_BRIDGE, EGRESS_SOCKET, writeEgressBridge } from './bridge.js';
import { type RefusedConnection, startEgressProxy } from './proxy.js';

/** Distinct refused host:port pairs one attempt reports; a task hammering many hosts cannot flood its log. */
export const REFUSALS_REPORTED = 64;

export interface TaskEgress {
  /** The network to spawn the attempt's processes with. */
  network: SandboxNetwork;
  /** The hosts it may reach, as `host:port` or `host` words. */
  allowed: string[];
  close(): Promise<void>;
}

/**
 * An attempt's way out under `allowlist` in a walled sandbox: the proxy on a
 * socket in its working copy, allowing its hosts plus its agent's provider,
 * and the bridge script the sandbox runs first. Each refused host:port is
 * reported once (at most REFUSALS_REPORTED). A sentence instead when the
 * socket's path is too long to be one.
 */
export async function startTaskEgress(options: {
  workdir: string;
  /** The working copy as the sandbox sees it. */
  workdirInSandbox: string;
  agent: AgentName;
  allowHosts: readonly AllowedHost[];
  /** The agent's environment: where its provider is (ANTHROPIC_BASE_URL, ...). */
  agentEnv: Readonly<Record<string, string>>;
  refused: (connection: RefusedConnection) => void;
}): Promise<TaskEgress | string> {
  const path = join(options.workdir, EGRESS_SOCKET);
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    return `the task's egress proxy cannot listen: the socket path ${path} is ${bytes} bytes, more than a unix socket's ${MAX_SOCKET_PATH_BYTES} (give the worker a shorter --data-dir)`;
  }
  writeEgressBridge(options.workdir);
  const providers = providerHosts(options.agent, options.agentEnv);
  const allowed = [...new Set([...providers, ...options.allowHosts])];
  const reported = new Set<string>();
  const proxy = await startEgressProxy({
    path,
    allowlist: allowlist(allowed),
    trustedNames: providers.map((entry) => entry.replace(/:\d+$/, '')),
    refused(connection) {
      const key = `${connection.host}:${connection.port}`;
      if (reported.has(key) || reported.size >= REFUSALS_REPORTED) return;
      reported.add(key);
      options.refused(connection);
    },
  });
  return {
    network: {
      mode: 'proxied',
      bridge: {
        script: `${options.workdirInSandbox}/${EGRESS_BRIDGE}`,
        socket: `${options.workdirInSandbox}/${EGRESS_SOCKET}`,
      },
    },
    allowed,
    close: () => proxy.close(),
  };
}
