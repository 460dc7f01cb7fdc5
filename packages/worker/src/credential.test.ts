import { chmod, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialPath, readCredential, writeCredential } from './credential.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nexa-credential-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const credential = {
  server: 'https://coordinator:7420',
  workerId: 'w-1',
  name: 'box-1',
  token: 'secret.jwt.token',
};

describe('a worker credential file', () => {
  it('is written 0600 whatever the umask, and read back', async () => {
    const old = process.umask(0);
    try {
      await writeCredential(join(dir, 'data'), credential);
    } finally {
      process.umask(old);
    }
    expect((await stat(credentialPath(join(dir, 'data')))).mode & 0o777).toBe(0o600);
    await expect(readCredential(join(dir, 'data'))).resolves.toEqual(credential);
  });

  it('is never written through a link, nor over a file already there', async () => {
    const target = join(dir, 'elsewhere');
    await writeFile(target, 'keep me');
    await symlink(target, credentialPath(dir));
    await expect(writeCredential(dir, credential)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(target, 'utf8')).toBe('keep me');
  });

  it('is not read through a link, nor when others may read it', async () => {
    const target = join(dir, 'elsewhere.json');
    await writeFile(target, JSON.stringify(credential), { mode: 0o600 });
    await symlink(target, credentialPath(dir));
    await expect(readCredential(dir)).rejects.toMatchObject({
      code: 'config',
      hint: 'it is a link: remove it and join again',
    });
    await rm(credentialPath(dir));
    await writeCredential(dir, credential);
    await chmod(credentialPath(dir), 0o644);
    await expect(readCredential(dir)).rejects.toMatchObject({
      message: `${credentialPath(dir)} may be read by other users: it holds this worker's token`,
    });
  });

  it('is none when missing, and a clear error when it is not a credential', async () => {
    await expect(readCredential(dir)).resolves.toBeNull();
    await writeFile(credentialPath(dir), '{"server":"x"}', { mode: 0o600 });
    await expect(readCredential(dir)).rejects.toMatchObject({
      code: 'config',
      hint: 'remove it and join again with a new join token',
    });
  });
});
