import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NexaError } from '@nexa/core';

const KEY_BYTES = 32;

/**
 * The key the secret store seals values with (AES-256-GCM), made once on
 * first start and kept (mode 0600) in the data directory beside the signing
 * key. It is never in the database: a copy of the database alone opens no secret.
 */
export async function loadOrCreateSecretKey(dataDir: string): Promise<Uint8Array> {
  const path = join(dataDir, 'secret.key');
  try {
    return parseKey(await readFile(path, 'utf8'), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  // Written whole under a name of its own ('wx': O_EXCL, never through a link), then
  // linked into place: link fails if anything is there, so a key another start made
  // meanwhile wins, and nobody ever reads a half-written key.
  const draft = `${path}.${randomBytes(6).toString('hex')}`;
  await writeFile(draft, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(draft, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return parseKey(await readFile(path, 'utf8'), path);
  } finally {
    await rm(draft, { force: true });
  }
  return key;
}

function parseKey(text: string, path: string): Uint8Array {
  const key = Buffer.from(text.trim(), 'base64url');
  if (key.length !== KEY_BYTES) {
    throw new NexaError('config', `${path} is not a secret key (${KEY_BYTES} bytes, base64url)`, {
      hint: 'restore the key this coordinator was started with; without it its secrets cannot be read',
    });
  }
  return key;
}
