import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SigningKey {
  secret: Uint8Array;
  /** True when this call made the key, i.e. this is the coordinator's first start. */
  created: boolean;
}

/** The coordinator's HS256 secret, made on first start and kept (mode 0600) in the data directory. */
export async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey> {
  const path = join(dataDir, 'signing.key');
  try {
    const text = await readFile(path, 'utf8');
    return { secret: Buffer.from(text.trim(), 'base64url'), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  // 'wx' fails if another process made the key meanwhile; that process's key wins.
  try {
    await writeFile(path, `${secret.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSigningKey(dataDir);
    throw error;
  }
  await chmod(path, 0o600);
  return { secret, created: true };
}
