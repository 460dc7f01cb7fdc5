import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createNexaClient, toNexaError } from '@nexa/core/client';
import type { AppRouter } from '@nexa/server';
import { describe, expect, it } from 'vitest';
import { adminToken, nexa } from './harness.js';
import { servedHome } from './servedHome.js';

const home = servedHome();

/** The coordinator `servedHome` started: the only server in the home's credentials. */
async function coordinator(): Promise<{ url: string; token: string }> {
  const saved = JSON.parse(await readFile(join(home.dir, 'config', 'nexa', 'credentials.json'), 'utf8'));
  const url = Object.keys(saved.servers)[0] as string;
  return { url, token: await adminToken(home, url) };
}

describe('nexa kv', () => {
  it('20 concurrent compare-and-set increments end at exactly 20; every loser was told the current version', async () => {
    // Twenty clients, each its own connection to the coordinator process, making the call
    // `nexa kv set KEY V --if-version N` makes (a process per attempt would cost minutes of CPU
    // on two cores: the CLI's own refusal is checked below).
    const { url, token } = await coordinator();
    const losers: { tried: number; message: string }[] = [];
    const increment = async () => {
      const { client, close } = createNexaClient<AppRouter>({ server: url, token, transport: 'http' });
      try {
        let version = 0;
        for (;;) {
          try {
            await client.kv.set.mutate({ key: 'counter', value: version + 1, ifVersion: version });
            return;
          } catch (error) {
            const { message } = toNexaError(error, url) as Error;
            losers.push({ tried: version, message });
            const named = message.match(/version (\d+)/);
            if (!named) throw new Error(`a conflict that names no version: ${message}`);
            version = Number(named[1]);
          }
        }
      } finally {
        await close();
      }
    };
    await Promise.all(Array.from({ length: 20 }, increment));

    const got = await nexa(home, ['kv', 'get', 'counter', '--json']);
    expect(got.exitCode).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ key: 'counter', value: 20, version: 20 });
    expect(losers.length).toBeGreaterThan(0);
    for (const loser of losers) {
      const named = Number(loser.message.match(/version (\d+)/)?.[1]);
      expect(named).not.toBe(loser.tried);
      expect(loser.message).toMatch(/is at version \d+, not \d+|does not exist/);
    }

    // The command line's loser: one line naming the current version, exit 125, nothing written.
    const stale = await nexa(home, ['kv', 'set', 'counter', '99', '--if-version', '7']);
    expect(stale.exitCode).toBe(125);
    expect(stale.stderr.trim().split('\n')).toHaveLength(1);
    expect(stale.stderr).toContain('key "counter" is at version 20, not 7');
    expect(stale.stderr).toContain('--if-version 20');
    expect(JSON.parse((await nexa(home, ['kv', 'get', 'counter', '--json'])).stdout).value).toBe(20);
  });

  it('set takes JSON or a plain string; list, rm and a conflict on rm', async () => {
    expect((await nexa(home, ['kv', 'set', 'build/status', 'passing'])).exitCode).toBe(0);
    expect((await nexa(home, ['kv', 'set', 'build/config', '{"retries": 3}'])).exitCode).toBe(0);
    expect((await nexa(home, ['kv', 'get', 'build/status'])).stdout.trim()).toBe('passing');
    expect(JSON.parse((await nexa(home, ['kv', 'get', 'build/config', '--json'])).stdout).value).toEqual({
      retries: 3,
    });
    const listed = JSON.parse((await nexa(home, ['kv', 'list', '--prefix', 'build/', '--json'])).stdout);
    expect(listed.map((e: { key: string }) => e.key)).toEqual(['build/config', 'build/status']);

    const stale = await nexa(home, ['kv', 'rm', 'build/status', '--if-version', '5']);
    expect(stale.exitCode).toBe(125);
    expect(stale.stderr).toMatch(/version 1/);
    expect((await nexa(home, ['kv', 'rm', 'build/status'])).exitCode).toBe(0);
    const gone = await nexa(home, ['kv', 'get', 'build/status']);
    expect(gone.exitCode).toBe(125);
    expect(gone.stderr).toMatch(/"build\/status" does not exist/);
  });

  it('keys belong to a project: another project does not see them', async () => {
    for (const project of ['alpha', 'beta']) {
      expect((await nexa(home, ['projects', 'create', project])).exitCode).toBe(0);
    }
    expect((await nexa(home, ['kv', 'set', 'shared', '1', '--project', 'alpha'])).exitCode).toBe(0);
    expect((await nexa(home, ['kv', 'get', 'shared', '--project', 'alpha'])).stdout.trim()).toBe('1');
    expect((await nexa(home, ['kv', 'get', 'shared'], { NEXA_PROJECT: 'beta' })).exitCode).toBe(125);
    const bad = await nexa(home, ['kv', 'get', 'shared', '--project', 'Not A Project']);
    expect(bad.exitCode).toBe(125);
    expect(bad.stderr).toMatch(/project name/);
  });
});
