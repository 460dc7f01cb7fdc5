import { readCredentials } from './credentials.js';
import type { Env } from './paths.js';
import { readServerCa } from './serverCa.js';
import { DEFAULT_SERVER_URL, normalizeServerUrl } from './serverUrl.js';

export interface ClientSettings {
  server: string;
  token: string | undefined;
  /** The PEM certificate(s) of the CA this client trusts the server with, besides the system's; undefined: the system's only. */
  ca?: string | undefined;
}

/**
 * Where a client finds its server, token and CA: flags, then NEXA_SERVER /
 * NEXA_TOKEN / NEXA_CA, then the credentials file, then the local default server.
 */
export async function resolveClientSettings(
  flags: { server?: string | undefined; token?: string | undefined; ca?: string | undefined },
  env: Env = process.env,
): Promise<ClientSettings> {
  const credentials = await readCredentials(env);
  const server = normalizeServerUrl(
    flags.server || env.NEXA_SERVER || credentials.defaultServer || DEFAULT_SERVER_URL,
  );
  const saved = credentials.servers[server];
  const token = flags.token || env.NEXA_TOKEN || saved?.token;
  const caFile = (
    [
      [flags.ca, '--ca'],
      [env.NEXA_CA, 'NEXA_CA'],
      [saved?.ca, 'the credentials file'],
    ] as const
  ).find(([path]) => Boolean(path));
  const ca = caFile?.[0] ? await readServerCa(caFile[0], caFile[1]) : undefined;
  return { server, token, ca };
}
