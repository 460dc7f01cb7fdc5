import { readCredentials } from './credentials.js';
import type { Env } from './paths.js';
import { DEFAULT_SERVER_URL, normalizeServerUrl } from './serverUrl.js';

export interface ClientSettings {
  server: string;
  token: string | undefined;
}

/**
 * Where a client finds its server and token: flags, then NEXA_SERVER /
 * NEXA_TOKEN, then the credentials file, then the local default server.
 */
export async function resolveClientSettings(
  flags: { server?: string | undefined; token?: string | undefined },
  env: Env = process.env,
): Promise<ClientSettings> {
  const credentials = await readCredentials(env);
  const server = normalizeServerUrl(
    flags.server || env.NEXA_SERVER || credentials.defaultServer || DEFAULT_SERVER_URL,
  );
  const token = flags.token || env.NEXA_TOKEN || credentials.servers[server]?.token;
  return { server, token };
}
