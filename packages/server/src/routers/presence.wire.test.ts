import type { PresenceEntry } from '@nexa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpCall, RawSocket, startWireServer, type WireServer } from '../testing/wire.js';

let wire: WireServer;
beforeEach(async () => {
  wire = await startWireServer();
});
afterEach(() => wire.close());

describe('presence.who', () => {
  it('shows people with an open socket and their client, people seen over HTTP, workers and agents', async () => {
    const tui = await RawSocket.open(wire.url, await wire.token('member', 'alice'), 'tui');
    const cli = await RawSocket.open(wire.url, await wire.token('member', 'alice'), 'cli');
    const viewer = await RawSocket.open(wire.url, await wire.token('viewer', 'bob'), 'tui');
    const worker = await RawSocket.open(wire.url, await wire.token('worker', 'w'), 'worker');
    await httpCall(wire.url, 'tasks.list', { token: await wire.token('viewer', 'carol') });
    try {
      const answer = await viewer.call('query', 'presence.who', {});
      const entries = (answer as { result: { data: PresenceEntry[] } }).result.data;
      const people = entries.filter((entry) => entry.kind === 'person');
      expect(people.map(({ name, detail, online }) => ({ name, detail, online }))).toEqual([
        { name: 'alice', detail: 'cli, tui', online: true },
        { name: 'bob', detail: 'tui', online: true },
        { name: 'carol', detail: 'http', online: false },
      ]);
      expect(people.find((p) => p.name === 'carol')?.lastSeenAt).toEqual(expect.any(String));
    } finally {
      for (const socket of [tui, cli, viewer, worker]) socket.close();
    }
  });
});
