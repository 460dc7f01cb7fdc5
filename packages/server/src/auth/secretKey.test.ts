import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateSecretKey } from './secretKey.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'nexa-secret-key-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('the secret key', () => {
  it('is made once (0600) and the same key is read on every later start', async () => {
    const first = await loadOrCreateSecretKey(dataDir);
    expect(first).toHaveLength(32);
    expect((await stat(join(dataDir, 'secret.key'))).mode & 0o777).toBe(0o600);
    expect(Buffer.from(await loadOrCreateSecretKey(dataDir))).toEqual(Buffer.from(first));
  });

  it('two starts racing agree on one key', async () => {
    const [a, b] = await Promise.all([loadOrCreateSecretKey(dataDir), loadOrCreateSecretKey(dataDir)]);
    expect(Buffer.from(a)).toEqual(Buffer.from(b));
  });

  it('never writes through a link left where the key goes', async () => {
    const target = join(dataDir, 'elsewhere');
    await symlink(target, join(dataDir, 'secret.key'));
    // A dangling link reads as missing; creating it exclusively must refuse rather than follow it.
    await expect(loadOrCreateSecretKey(dataDir)).rejects.toThrow();
    await expect(readFile(target)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a file that is not a key is refused with what to do, not used', async () => {
    await writeFile(join(dataDir, 'secret.key'), 'short\n');
    await expect(loadOrCreateSecretKey(dataDir)).rejects.toMatchObject({
      code: 'config',
      message: expect.stringMatching(/is not a secret key/),
    });
  });
});
