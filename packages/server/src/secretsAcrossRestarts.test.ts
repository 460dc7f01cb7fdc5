import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer } from './startServer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nexa-secrets-restart-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const logged: string[] = [];
const start = (dataDir: string) =>
  startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    log: (line) => logged.push(line),
    env: { XDG_CONFIG_HOME: join(dir, 'config'), HOME: dir },
  });

describe('secrets across restarts', () => {
  it('open after a restart with the same data dir, and not with the database alone (another key)', async () => {
    const dataDir = join(dir, 'data');
    const first = await start(dataDir);
    await first.services.secrets.set('default', 'API_KEY', 'sk-kept-across', 'ann');
    await first.close();

    const again = await start(dataDir);
    expect(await again.services.secrets.values('default', ['API_KEY'])).toEqual({
      API_KEY: 'sk-kept-across',
    });
    await again.close();

    // The database copied elsewhere, without its key: a new key is made, and the secret does not open.
    const copied = join(dir, 'copied');
    const { cp } = await import('node:fs/promises');
    await cp(dataDir, copied, { recursive: true, filter: (source) => !source.endsWith('secret.key') });
    const stranger = await start(copied);
    try {
      expect(await stranger.services.secrets.values('default', ['API_KEY'])).toEqual({});
      expect(logged.join('\n')).toContain(
        "secrets: secret API_KEY of project default cannot be opened with this coordinator's key",
      );
      expect((await stranger.services.secrets.list('default')).map((secret) => secret.name)).toEqual([
        'API_KEY',
      ]);
    } finally {
      await stranger.close();
    }
  });
});
