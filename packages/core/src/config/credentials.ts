import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { NexaError } from '../errors.js';
import { credentialsPath, type Env } from './paths.js';

/**
 * `~/.config/nexa/credentials.json`: one token per server URL, plus the server
 * used when none is named. Tokens are keyed by URL so a local admin token is
 * never sent to some other server. `ca`: the path of the CA file that server's
 * certificate is checked against (a private CA), for every client on this machine.
 */
export const Credentials = z.object({
  defaultServer: z.string().optional(),
  servers: z.record(z.string(), z.object({ token: z.string(), ca: z.string().optional() })).default({}),
});
export type Credentials = z.infer<typeof Credentials>;

export async function readCredentials(env: Env = process.env): Promise<Credentials> {
  const path = credentialsPath(env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { servers: {} };
    throw error;
  }
  try {
    return Credentials.parse(JSON.parse(text));
  } catch {
    throw new NexaError('config', `${path} is not a valid Nexa credentials file`, {
      hint: 'fix or delete it; `nexa server` writes a new one on its next start',
    });
  }
}

/** Writes atomically with mode 0600: the file holds bearer tokens. */
export async function writeCredentials(credentials: Credentials, env: Env = process.env): Promise<string> {
  const path = credentialsPath(env);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
  return path;
}

/** Records a token for a server, making it the default server if there is none yet. */
export async function saveServerToken(
  serverUrl: string,
  token: string,
  env: Env = process.env,
): Promise<string> {
  const credentials = await readCredentials(env);
  credentials.servers[serverUrl] = { ...credentials.servers[serverUrl], token };
  credentials.defaultServer ??= serverUrl;
  return writeCredentials(credentials, env);
}
