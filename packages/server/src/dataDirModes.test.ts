import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer } from './startServer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nexa-modes-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

async function startIn(dataDir: string) {
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    log: () => {},
    env: { XDG_CONFIG_HOME: join(dir, 'config'), HOME: dir },
  });
  // A write, so the WAL and shared-memory files exist too.
  await server.services.tokens.issue('viewer', 'mode-test');
  return server;
}

describe('the data directory', () => {
  it('keeps the database files (and their WAL) 0600 and the directory 0700, even one made 0755 before', async () => {
    const dataDir = join(dir, 'data');
    await mkdir(dataDir, { mode: 0o755 });
    const server = await startIn(dataDir);
    try {
      const files = (await readdir(dataDir)).filter((name) => name.startsWith('nexa.db'));
      expect(files.sort()).toEqual(['nexa.db', 'nexa.db-shm', 'nexa.db-wal']);
      for (const name of files) expect([name, await modeOf(join(dataDir, name))]).toEqual([name, 0o600]);
      expect(await modeOf(join(dataDir, 'signing.key'))).toBe(0o600);
      expect(await modeOf(join(dataDir, 'secret.key'))).toBe(0o600);
      expect(await modeOf(dataDir)).toBe(0o700);
    } finally {
      await server.close();
    }
  });

  it('leaves the mode of a directory that is not plainly Nexa’s (someone’s files in it), but not its files', async () => {
    const dataDir = join(dir, 'shared');
    await mkdir(dataDir, { mode: 0o755 });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dataDir, 'notes.txt'), 'mine');
    const server = await startIn(dataDir);
    try {
      expect(await modeOf(dataDir)).toBe(0o755);
      expect(await modeOf(join(dataDir, 'nexa.db'))).toBe(0o600);
    } finally {
      await server.close();
    }
  });

  it('tightens files an older version left 0644, at every start', async () => {
    const dataDir = join(dir, 'data');
    await (await startIn(dataDir)).close();
    const { chmod } = await import('node:fs/promises');
    await chmod(join(dataDir, 'nexa.db'), 0o644);
    await chmod(dataDir, 0o755);
    const server = await startIn(dataDir);
    try {
      expect(await modeOf(join(dataDir, 'nexa.db'))).toBe(0o600);
      expect(await modeOf(dataDir)).toBe(0o700);
    } finally {
      await server.close();
    }
  });
});
