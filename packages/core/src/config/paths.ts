import { homedir } from 'node:os';
import { join } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

/** Where the coordinator keeps its database and key, and a worker its spool: `$NEXA_DATA_DIR` or XDG data home. */
export function defaultDataDir(env: Env = process.env): string {
  if (env.NEXA_DATA_DIR) return env.NEXA_DATA_DIR;
  const base = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(base, 'nexa');
}

export function configDir(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'nexa');
}

export function credentialsPath(env: Env = process.env): string {
  return join(configDir(env), 'credentials.json');
}
