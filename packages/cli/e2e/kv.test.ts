import { afterAll, describe, expect, it } from 'vitest';
import { nexa } from './harness.js';
import { servedHome } from './servedHome.js';

const home = servedHome();
afterAll(() => {
  stopped = true;
});

interface Loser {
  triedVersion: number;
  stderr: string;
  exitCode: number;
}

/**
 * One increment of a counter whose value is its version, by compare-and-set:
 * set V+1 --if-version V, and on a conflict take the current version from the
 * refusal (the only read it gets) and try again.
 */
async function increment(losers: Loser[]): Promise<void> {
  let version = 0;
  for (let attempt = 1; !stopped; attempt++) {
    const set = await nexa(home, [
      'kv',
      'set',
      'counter',
      String(version + 1),
      '--if-version',
      String(version),
    ]);
    if (set.exitCode === 0) return;
    losers.push({ triedVersion: version, stderr: set.stderr, exitCode: set.exitCode });
    const named = set.stderr.match(/version (\d+)/);
    if (!named) throw new Error(`a conflict that names no version: ${set.stderr}`);
    version = Number(named[1]);
    // Jittered backoff, as any client of a compare-and-set would: twenty processes retrying at once mostly collide again.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 250 * Math.min(attempt, 8)));
  }
}

/** Set when the file ends, so loops of a timed-out test stop spawning processes. */
let stopped = false;

describe('nexa kv', () => {
  it('20 concurrent compare-and-set increments end at exactly 20; every loser was told the current version', async () => {
    const losers: Loser[] = [];
    await Promise.all(Array.from({ length: 20 }, () => increment(losers)));

    const got = await nexa(home, ['kv', 'get', 'counter', '--json']);
    expect(got.exitCode).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ key: 'counter', value: 20, version: 20 });
    // Twenty processes racing on two cores: some lose at least once.
    expect(losers.length).toBeGreaterThan(0);
    for (const loser of losers) {
      expect(loser.exitCode).not.toBe(0);
      expect(loser.stderr.trim().split('\n')).toHaveLength(1);
      const named = Number(loser.stderr.match(/version (\d+)/)?.[1]);
      expect(named).not.toBe(loser.triedVersion);
      expect(loser.stderr).toMatch(/--if-version \d+|does not exist/);
    }
  }, 600_000);

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
    expect((await nexa(home, ['kv', 'set', 'shared', '1', '--project', 'alpha'])).exitCode).toBe(0);
    expect((await nexa(home, ['kv', 'get', 'shared', '--project', 'alpha'])).stdout.trim()).toBe('1');
    expect((await nexa(home, ['kv', 'get', 'shared'], { NEXA_PROJECT: 'beta' })).exitCode).toBe(125);
    const bad = await nexa(home, ['kv', 'get', 'shared', '--project', 'Not A Project']);
    expect(bad.exitCode).toBe(125);
    expect(bad.stderr).toMatch(/project name/);
  });
});
