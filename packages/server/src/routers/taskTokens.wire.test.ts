import { TaskSpec } from '@nexa/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawSocket, startWireServer, type WireServer } from '../testing/wire.js';

let wire: WireServer;
beforeEach(async () => {
  wire = await startWireServer();
});
afterEach(() => wire.close());

describe('a task token’s WebSocket', () => {
  it('is closed when the attempt ends, and the token is refused from then on', async () => {
    const { services } = wire.server;
    const person = { jti: 'p', role: 'member' as const, subject: 'alice', projects: null };
    await services.projects.create('web', 'alice');
    const task = await services.tasks.submit(TaskSpec.parse({ command: ['true'], project: 'web' }), person);
    const row = await services.tasks.mustRow(task.id);
    await services.database.writes.run((writer) => services.tasks.assign(writer, row, 'w-somewhere'));
    const token = await services.tokens.mintTask({ id: task.id, attempt: 1, project: 'web' });
    const socket = await RawSocket.open(wire.url, token, 'mcp');
    const listed = await socket.call('query', 'threads.list', {});
    expect(listed).toMatchObject({ result: { data: { items: [expect.objectContaining({ id: task.id })] } } });

    const held = await services.tasks.mustRow(task.id);
    await services.database.writes.run((writer) =>
      services.events.appendFromCoordinator(
        writer,
        held,
        { kind: 'status', status: 'failed', exitCode: null, reason: 'test' },
        { status: 'failed', finishedAt: Date.now() },
      ),
    );
    expect(await socket.closed).toEqual({ code: 4001, reason: 'task attempt ended' });
    const again = await RawSocket.open(wire.url, token, 'mcp');
    const refused = await again.call('query', 'threads.list', {});
    again.close();
    expect(JSON.stringify(refused)).toContain("the task's attempt 1 has ended");
  });
});
