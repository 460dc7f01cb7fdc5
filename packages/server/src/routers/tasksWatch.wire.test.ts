import type { TaskFeedMessage } from '@nexa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawSocket, startWireServer, type WireServer } from '../testing/wire.js';

let wire: WireServer;
let member: RawSocket;
beforeEach(async () => {
  wire = await startWireServer();
  member = await RawSocket.open(wire.url, await wire.token('member'));
});
afterEach(async () => {
  member.close();
  await wire.close();
});

interface FeedData {
  /** The tracked id: what a reconnecting client sends back as lastEventId. */
  id?: string;
  data: TaskFeedMessage;
}

/** A tasks.watch subscription over a real socket: its data messages, awaited one by one. */
async function watch(lastEventId?: string) {
  const socket = await RawSocket.open(wire.url, await wire.token('viewer'));
  const received: FeedData[] = [];
  const waiters: (() => void)[] = [];
  socket.subscribe('tasks.watch', lastEventId ? { lastEventId } : {}, (message) => {
    // A tracked message arrives as { id, data }; an untracked one (activity) as the data itself.
    const result = (message as { result?: { type: string; data: TaskFeedMessage | FeedData } }).result;
    if (result?.type !== 'data' || !('id' in result.data)) return;
    received.push(result.data);
    waiters.shift()?.();
  });
  let read = 0;
  const next = async (): Promise<FeedData> => {
    if (read >= received.length) await new Promise<void>((resolve) => waiters.push(resolve));
    return received[read++] as FeedData;
  };
  return { socket, next };
}

const submit = async (name: string) => {
  const answer = await member.call('mutation', 'tasks.submit', { command: [name] });
  return (answer as { result: { data: { id: string } } }).result.data.id;
};
const taskId = (message: FeedData) => (message.data.type === 'task' ? message.data.task.id : undefined);

describe('tasks.watch over a WebSocket', () => {
  it('resumes after a reconnect from lastEventId: every change made meanwhile, once, in order, then live', async () => {
    const a = await submit('a');
    const first = await watch();
    const snapshot = await first.next();
    expect(snapshot.data).toMatchObject({ type: 'snapshot', tasks: [{ id: a }] });
    expect(snapshot.id).toBe(String((snapshot.data as { cursor: number }).cursor));
    const b = await submit('b');
    const seenLive = await first.next();
    expect(taskId(seenLive)).toBe(b);
    first.socket.close();

    // Changes while nobody watches.
    const c = await submit('c');
    await member.call('mutation', 'tasks.cancel', { id: a });
    const resumed = await watch(seenLive.id);
    const replayed = [await resumed.next(), await resumed.next()];
    expect(replayed.map(taskId)).toEqual([c, a]);
    expect(replayed[1]?.data).toMatchObject({ task: { status: 'cancelled' } });
    const d = await submit('d');
    const live = await resumed.next();
    expect(taskId(live)).toBe(d);
    const ids = [seenLive, ...replayed, live].map((m) => Number(m.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(ids.length);
    resumed.socket.close();
  });
});
