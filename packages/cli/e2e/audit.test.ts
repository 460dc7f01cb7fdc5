import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditEntry } from '@nexa/core';
import { TRPC_PATH } from '@nexa/core/config';
import { describe, expect, it } from 'vitest';
import { nexa } from './harness.js';
import { servedHome } from './servedHome.js';

const home = servedHome();

/** The coordinator `servedHome` started: the only server in the home's credentials. */
async function serverUrl(): Promise<string> {
  const saved = JSON.parse(await readFile(join(home.dir, 'config', 'nexa', 'credentials.json'), 'utf8'));
  return Object.keys(saved.servers)[0] as string;
}

/** One call with a token the coordinator never signed: a failed login from this address. */
async function badLogin(url: string): Promise<Response> {
  return fetch(`${url}${TRPC_PATH}/auth.whoami`, { headers: { authorization: 'Bearer not-a-token' } });
}

describe('nexa audit', () => {
  it('lists a failed login with its address and a cancellation with who did it', async () => {
    const login = await nexa(home, ['tasks', 'list', '--token', 'not-a-token']);
    expect(login.exitCode).toBe(125);

    const run = await nexa(home, ['run', '--detach', '--json', '--sandbox', 'process', '--', 'sleep', '60']);
    expect(run.exitCode).toBe(0);
    const taskId = (JSON.parse(run.stdout) as { id: string }).id;
    expect((await nexa(home, ['cancel', taskId])).exitCode).toBe(0);

    const audit = await nexa(home, ['audit', '--json']);
    expect(audit.exitCode).toBe(0);
    const entries = JSON.parse(audit.stdout) as AuditEntry[];
    expect(entries).toContainEqual(
      expect.objectContaining({
        action: 'auth.failed',
        actor: null,
        from: '127.0.0.1',
        detail: 'the token was not signed by this server',
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        action: 'task.cancelled',
        role: 'admin',
        target: taskId,
        project: 'default',
      }),
    );
    // The table a person reads: the same entries, one line each.
    const table = await nexa(home, ['audit', '--action', 'task.cancelled', '--since', '1h']);
    expect(table.stdout).toMatch(
      new RegExp(`task\\.cancelled\\s+\\S+ \\(admin\\)\\s+${taskId}\\s+default\\s+127\\.0\\.0\\.1`),
    );
  });

  it('an address that keeps failing to log in is made to wait: the CLI says so in one line and exits 125', async () => {
    const url = await serverUrl();
    // A guesser that keeps the address waiting: it fails again as soon as each wait is over
    // (failures during a wait are refused unread, not counted), so the wait doubles and never
    // lapses for longer than a round trip, however long the CLI below takes to start.
    const stop = new AbortController();
    let firstWait: () => void = () => {};
    const waiting = new Promise<void>((resolve) => {
      firstWait = resolve;
    });
    const guesser = (async () => {
      while (!stop.signal.aborted) {
        const answer = await badLogin(url);
        if (answer.status !== 429) continue;
        firstWait();
        const seconds = Number(answer.headers.get('retry-after'));
        await sleep(seconds * 1000, undefined, { signal: stop.signal }).catch(() => {});
      }
    })();
    await waiting;
    // The admin's good token, from the same address.
    const refused = await nexa(home, ['tasks', 'list']);
    stop.abort();
    await guesser;
    expect(refused.exitCode).toBe(125);
    expect(refused.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^nexa: too many failed authentications from 127\.0\.0\.1: every request from it is refused for now; wait \d+ s and retry$/,
      ),
    ]);
  });
});
