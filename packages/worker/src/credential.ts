import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { isNexaErrorCode, NexaError, WorkerName } from '@nexa/core';
import { createNexaClient, nexaCode, toNexaError } from '@nexa/core/client';
import type { AppRouter } from '@nexa/server';
import { z } from 'zod';

/**
 * A worker's own credential, made once when it joined with a join token and
 * kept in its data dir: it is this worker (its id and name) and nothing else.
 */
export const WorkerCredential = z.object({
  server: z.string().min(1),
  workerId: z.string().min(1),
  name: WorkerName,
  token: z.string().min(1).max(8192),
});
export type WorkerCredential = z.infer<typeof WorkerCredential>;

export const CREDENTIAL_FILE = 'credential.json';
/** Far larger than any credential: anything bigger is not one. */
const MAX_CREDENTIAL_BYTES = 64 * 1024;

/** The credential file's path in a worker's data dir. */
export function credentialPath(dataDir: string): string {
  return join(dataDir, CREDENTIAL_FILE);
}

/**
 * The credential kept in `dataDir`, or null when there is none. A link
 * there is refused (never followed), and so is a file others may read: it
 * holds the token.
 */
export async function readCredential(dataDir: string): Promise<WorkerCredential | null> {
  const path = credentialPath(dataDir);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new NexaError(
      'config',
      `cannot read the worker's credential ${path} (${code ?? (error as Error).message})`,
      {
        hint: code === 'ELOOP' ? 'it is a link: remove it and join again' : 'check who owns it',
      },
    );
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size > MAX_CREDENTIAL_BYTES) {
      throw new NexaError('config', `${path} is not a worker credential`, {
        hint: 'remove it and join again',
      });
    }
    if ((stat.mode & 0o077) !== 0) {
      throw new NexaError('config', `${path} may be read by other users: it holds this worker's token`, {
        hint: `chmod 600 ${path}`,
      });
    }
    const parsed = WorkerCredential.safeParse(JSON.parse(await handle.readFile('utf8')));
    if (!parsed.success) throw new Error(parsed.error.issues[0]?.message);
    return parsed.data;
  } catch (error) {
    if (error instanceof NexaError) throw error;
    throw new NexaError('config', `${path} is not a worker credential (${(error as Error).message})`, {
      hint: 'remove it and join again with a new join token',
    });
  } finally {
    await handle.close();
  }
}

/**
 * Writes the credential, mode 0600, as a new file: it fails rather than
 * overwrite or follow anything already there (another worker started on the
 * same data dir at the same time keeps its own).
 */
export async function writeCredential(dataDir: string, credential: WorkerCredential): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const handle = await open(
    credentialPath(dataDir),
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    await handle.chmod(0o600); // the umask does not narrow it, nor widen it
    await handle.writeFile(`${JSON.stringify(credential, null, 2)}\n`);
  } finally {
    await handle.close();
  }
}

export interface JoinOptions {
  server: string;
  joinToken: string;
  name: string;
  dataDir: string;
  ca?: string | undefined;
}

/**
 * Presents a join token once (`workers.join`) and keeps the credential it
 * gives in the data dir. The join token is not kept anywhere.
 */
export async function joinCoordinator(options: JoinOptions): Promise<WorkerCredential> {
  const { client, close } = createNexaClient<AppRouter>({
    server: options.server,
    token: options.joinToken,
    ca: options.ca,
    transport: 'http',
  });
  try {
    const joined = await client.workers.join.mutate({ name: options.name });
    const credential: WorkerCredential = {
      server: options.server,
      workerId: joined.workerId,
      name: joined.name,
      token: joined.token,
    };
    await writeCredential(options.dataDir, credential);
    return credential;
  } catch (error) {
    const code = nexaCode(error);
    const detail = (error as { data?: { nexa?: { message?: string; hint?: string } } }).data?.nexa;
    if (code === undefined || !isNexaErrorCode(code)) throw toNexaError(error, options.server);
    throw new NexaError(
      code,
      `the coordinator at ${options.server} refused to let this worker join: ${detail?.message ?? (error as Error).message}`,
      detail?.hint ? { hint: detail.hint } : {},
    );
  } finally {
    await close();
  }
}

/**
 * The credential a worker connects with: the one kept in its data dir, else
 * a new one made with the join token (null: no credential and no join token,
 * so the worker uses a plain token).
 */
export async function workerCredential(options: {
  server: string;
  dataDir: string;
  name: string | undefined;
  joinToken: string | undefined;
  ca?: string | undefined;
}): Promise<{ credential: WorkerCredential; joined: boolean } | null> {
  const kept = await readCredential(options.dataDir);
  if (kept) {
    if (kept.server !== options.server) {
      throw new NexaError(
        'config',
        `the credential in ${credentialPath(options.dataDir)} is for ${kept.server}, not ${options.server}`,
        { hint: 'use another --data-dir for another coordinator' },
      );
    }
    if (options.name !== undefined && options.name !== kept.name) {
      throw new NexaError(
        'config',
        `the credential in ${credentialPath(options.dataDir)} is for worker ${kept.name}, not ${options.name}`,
        { hint: `start it with --name ${kept.name}, or use another --data-dir` },
      );
    }
    return { credential: kept, joined: false };
  }
  if (options.joinToken === undefined) return null;
  if (options.name === undefined) {
    throw new NexaError('invalid_input', 'a worker joining needs a name', { hint: 'pass --name' });
  }
  const credential = await joinCoordinator({ ...options, name: options.name, joinToken: options.joinToken });
  return { credential, joined: true };
}
