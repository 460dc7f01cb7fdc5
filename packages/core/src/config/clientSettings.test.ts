import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveClientSettings } from './clientSettings.js';
import { readCredentials, saveServerToken, writeCredentials } from './credentials.js';
import { normalizeServerUrl, trpcHttpUrl, webSocketUrl } from './serverUrl.js';

let env: Record<string, string>;
beforeEach(async () => {
  env = { XDG_CONFIG_HOME: await mkdtemp(join(tmpdir(), 'nexa-config-')) };
});

describe('client settings', () => {
  it('falls back to the local default server with no token', async () => {
    expect(await resolveClientSettings({}, env)).toEqual({
      server: 'http://127.0.0.1:7420',
      token: undefined,
    });
  });

  it('uses the credentials file, then env, then flags', async () => {
    await saveServerToken('http://127.0.0.1:7420', 'file-token', env);
    expect(await resolveClientSettings({}, env)).toEqual({
      server: 'http://127.0.0.1:7420',
      token: 'file-token',
    });
    const withEnv = { ...env, NEXA_SERVER: 'http://10.0.0.5:7420', NEXA_TOKEN: 'env-token' };
    expect(await resolveClientSettings({}, withEnv)).toEqual({
      server: 'http://10.0.0.5:7420',
      token: 'env-token',
    });
    expect(await resolveClientSettings({ server: 'box:9000', token: 'flag-token' }, withEnv)).toEqual({
      server: 'http://box:9000',
      token: 'flag-token',
    });
  });

  it("never sends one server's saved token to another server", async () => {
    await saveServerToken('http://127.0.0.1:7420', 'local-admin', env);
    expect((await resolveClientSettings({ server: 'http://elsewhere:7420' }, env)).token).toBeUndefined();
  });

  it('writes the credentials file readable by its owner only', async () => {
    await saveServerToken('http://127.0.0.1:7420', 't', env);
    const path = join(env.XDG_CONFIG_HOME as string, 'nexa', 'credentials.json');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, 'utf8')).defaultServer).toBe('http://127.0.0.1:7420');
    expect((await readCredentials(env)).servers['http://127.0.0.1:7420']?.token).toBe('t');
  });
});

describe('server URLs', () => {
  it('accepts what people type and derives the WebSocket URL', () => {
    expect(normalizeServerUrl('127.0.0.1:7420')).toBe('http://127.0.0.1:7420');
    expect(normalizeServerUrl('ws://box:1/')).toBe('http://box:1');
    expect(normalizeServerUrl('https://nexa.example.com')).toBe('https://nexa.example.com');
    expect(webSocketUrl('https://nexa.example.com')).toBe('wss://nexa.example.com/trpc');
    expect(() => normalizeServerUrl('ftp://x')).toThrow(/not an http\(s\) or ws\(s\) URL/);
  });
});

describe('unix socket servers', () => {
  it('keeps unix:/abs/path.sock as the server and maps it to ws+unix for the WebSocket', async () => {
    expect(normalizeServerUrl(' unix:/work/.nexa/mcp.sock ')).toBe('unix:/work/.nexa/mcp.sock');
    expect(webSocketUrl('unix:/work/.nexa/mcp.sock')).toBe('ws+unix:///work/.nexa/mcp.sock:/trpc');
    const withEnv = { ...env, NEXA_SERVER: 'unix:/work/.nexa/mcp.sock', NEXA_TOKEN: 'task-token' };
    expect(await resolveClientSettings({}, withEnv)).toEqual({
      server: 'unix:/work/.nexa/mcp.sock',
      token: 'task-token',
    });
  });

  it('refuses a relative path or one ws would split, in one line', () => {
    expect(() => normalizeServerUrl('unix:work/mcp.sock')).toThrow(/not a unix socket server/);
    expect(() => normalizeServerUrl('unix:/a:b/mcp.sock')).toThrow(/not a unix socket server/);
  });

  it('has no HTTP URL: a unix socket needs the websocket transport', () => {
    expect(() => trpcHttpUrl('unix:/work/.nexa/mcp.sock')).toThrow(/needs the websocket transport/);
  });
});

describe('the CA a client trusts the server with', () => {
  const pem = (name: string) => `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`;

  it("reads --ca, then NEXA_CA, then the credentials file's ca for that server only", async () => {
    const dir = env.XDG_CONFIG_HOME as string;
    const [flagCa, envCa, savedCa] = ['flag', 'env', 'saved'].map((name) => join(dir, `${name}.crt`)) as [
      string,
      string,
      string,
    ];
    await Promise.all([
      writeFile(flagCa, pem('flag')),
      writeFile(envCa, pem('env')),
      writeFile(savedCa, pem('saved')),
    ]);
    await saveServerToken('https://c.example:7420', 'token', env);
    const credentials = await readCredentials(env);
    credentials.servers['https://c.example:7420'] = { token: 'token', ca: savedCa };
    await writeCredentials(credentials, env);

    const server = 'https://c.example:7420';
    expect((await resolveClientSettings({ server }, env)).ca).toBe(pem('saved'));
    expect((await resolveClientSettings({ server }, { ...env, NEXA_CA: envCa })).ca).toBe(pem('env'));
    expect((await resolveClientSettings({ server, ca: flagCa }, { ...env, NEXA_CA: envCa })).ca).toBe(
      pem('flag'),
    );
    expect((await resolveClientSettings({ server: 'https://other.example:7420' }, env)).ca).toBeUndefined();
    // A token saved again keeps the CA beside it.
    await saveServerToken(server, 'token-2', env);
    expect((await readCredentials(env)).servers[server]).toEqual({ token: 'token-2', ca: savedCa });
  });

  it('says in one line when the file cannot be read or holds no certificate', async () => {
    const dir = env.XDG_CONFIG_HOME as string;
    await expect(resolveClientSettings({ ca: join(dir, 'missing.crt') }, env)).rejects.toThrow(
      /cannot read the CA file .*missing\.crt \(--ca\): ENOENT/,
    );
    await writeFile(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\n');
    await expect(resolveClientSettings({}, { ...env, NEXA_CA: join(dir, 'key.pem') })).rejects.toMatchObject({
      code: 'config',
      message: expect.stringMatching(/key\.pem \(NEXA_CA\) holds no PEM certificate/),
    });
  });
});
