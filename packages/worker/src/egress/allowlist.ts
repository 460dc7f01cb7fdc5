import { type AgentName, type AllowedHost, agentKind } from '@nexa/core';

/**
 * Where a task under `allowlist` may connect. A host is matched by name,
 * exactly and case-insensitively, never by what it resolves to: the worker
 * resolves it, so a name that is not listed is refused even when it points at
 * a listed address. `*.example.com` is any name under example.com (not
 * example.com itself). A host given without a port allows the web's two, 80
 * and 443; `host:port` allows that port only.
 */
export interface Allowlist {
  allows(host: string, port: number): boolean;
  /** The entries as `host:port` words, for a refusal's reason. */
  readonly entries: readonly string[];
}

/** The ports a host without one allows. */
export const WEB_PORTS = [80, 443] as const;

interface Entry {
  host: string;
  wildcard: boolean;
  ports: readonly number[];
}

/** A host as the proxy compares it: lower case, no brackets around IPv6, no final dot. */
export function canonicalHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

function parseEntry(word: string): Entry {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(word);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(word);
  const [, host = word, port] = bracketed ?? plain ?? [];
  const name = canonicalHost(host);
  const wildcard = name.startsWith('*.');
  return {
    host: wildcard ? name.slice(1) : name,
    wildcard,
    ports: port === undefined ? WEB_PORTS : [Number(port)],
  };
}

export function allowlist(hosts: readonly (AllowedHost | string)[]): Allowlist {
  const entries = hosts.map(parseEntry);
  return {
    entries: [...hosts],
    allows(host, port) {
      const name = canonicalHost(host);
      return entries.some(
        (entry) =>
          entry.ports.includes(port) &&
          (entry.wildcard
            ? name.endsWith(entry.host) && name.length > entry.host.length
            : name === entry.host),
      );
    },
  };
}

/**
 * The agent's model provider, as host:port: the address in the first of its
 * `egress.baseUrlEnv` variables the agent is given (a gateway, a test server),
 * else its provider's own hosts. A command (shell) has none.
 */
export function providerHosts(agent: AgentName, env: Readonly<Record<string, string>>): string[] {
  const { egress } = agentKind(agent);
  for (const name of egress.baseUrlEnv) {
    const value = env[name];
    if (!value) continue;
    try {
      const url = new URL(value);
      const port = url.port || (url.protocol === 'http:' ? '80' : '443');
      return [`${url.hostname}:${port}`];
    } catch {
      // Not a URL: the agent cannot use it either; fall back to the provider's own hosts.
    }
  }
  return [...egress.hosts];
}
