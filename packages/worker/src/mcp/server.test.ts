import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Assignment, WorkerMessage } from '@nexa/core';
import { createNexaClient, type NexaConnection } from '@nexa/core/client';
import { type AppRouter, type RunningServer, startServer } from '@nexa/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNexaMcpServer } from './server.js';

let dataDir: string;
let coordinator: RunningServer;
let admin: NexaConnection<AppRouter>;
let worker: NexaConnection<AppRouter>;
const assignments: Assignment[] = [];
const assignmentWaiters: (() => void)[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

/** The next assignment the fake worker gets (the coordinator mints its task token in it). */
async function nextAssignment(): Promise<Assignment> {
  while (assignments.length === 0) await new Promise<void>((resolve) => assignmentWaiters.push(resolve));
  return assignments.shift() as Assignment;
}

/** An agent's `nexa mcp` for a task token, and an MCP client talking to it in memory. */
async function mcpFor(token: string): Promise<Client> {
  const connection = createNexaClient<AppRouter>({
    server: coordinator.url,
    token,
    transport: 'websocket',
    client: 'mcp',
  });
  const server = createNexaMcpServer({ client: connection.client, server: coordinator.url });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'agent', version: '1.0.0' });
  await client.connect(clientSide);
  cleanups.push(async () => {
    await client.close();
    await server.close();
    await connection.close();
  });
  return client;
}

/** A shell task taken by the fake worker: its id and an MCP client holding its attempt's token. */
async function runningTask(project = 'default'): Promise<{ taskId: string; mcp: Client }> {
  const task = await admin.client.tasks.submit.mutate({ project, command: ['sleep', '1000'] });
  const assignment = await nextAssignment();
  expect(assignment.taskId).toBe(task.id);
  expect(assignment.token).toBeTruthy();
  return { taskId: task.id, mcp: await mcpFor(assignment.token as string) };
}

async function call(mcp: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await mcp.callTool({ name, arguments: args })) as CallToolResult;
  const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
  return { isError: result.isError === true, text, json: () => JSON.parse(text) };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'nexa-mcp-'));
  coordinator = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    log: () => {},
    env: { HOME: dataDir, XDG_CONFIG_HOME: dataDir },
  });
  const adminToken = (await coordinator.services.tokens.issue('admin', 'alice')).token;
  const workerToken = (await coordinator.services.tokens.issue('worker', 'w1')).token;
  admin = createNexaClient<AppRouter>({ server: coordinator.url, token: adminToken, transport: 'websocket' });
  worker = createNexaClient<AppRouter>({
    server: coordinator.url,
    token: workerToken,
    transport: 'websocket',
  });
  const registered = new Promise<void>((resolve, reject) => {
    worker.client.workers.connect.subscribe(
      {
        name: 'w1',
        instanceId: 'instance-w1',
        labels: {},
        capacity: 50,
        version: 'test',
        sandboxes: ['bwrap'],
        agents: ['shell', 'claude'],
        unavailableAgents: [],
      },
      {
        onData(message: WorkerMessage) {
          if (message.type === 'registered') resolve();
          if (message.type === 'assign') {
            assignments.push(message.assignment);
            for (const wake of assignmentWaiters.splice(0)) wake();
          }
        },
        onError: reject,
      },
    );
  });
  await registered;
});

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await worker?.close();
  await admin?.close();
  await coordinator?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('nexa mcp', () => {
  it('offers the twelve tools, each described with an example', async () => {
    const { mcp } = await runningTask();
    const { tools } = await mcp.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(
      [
        'ask_human',
        'kv_get',
        'kv_list',
        'kv_set',
        'list_threads',
        'post_message',
        'read_thread',
        'spawn_task',
        'task_status',
        'wait_for_reply',
        'wait_task',
        'who_is_online',
      ].sort(),
    );
    for (const tool of tools) expect(tool.description).toMatch(/Example: \{/);
  });

  it("posts in the task's own thread by default, as the agent, and reads it back", async () => {
    const { taskId, mcp } = await runningTask();
    const posted = await call(mcp, 'post_message', { body: 'tests pass' });
    expect(posted.isError).toBe(false);
    expect(posted.json().threadId).toBe(taskId);
    const { messages } = await admin.client.threads.get.query({ threadId: taskId });
    const mine = messages.find((m) => m.body === 'tests pass');
    expect(mine?.author).toMatchObject({ kind: 'agent', taskId });
    const read = await call(mcp, 'read_thread');
    expect(read.json().messages.map((m: { body: string }) => m.body)).toContain('tests pass');
    const threads = await call(mcp, 'list_threads');
    expect(threads.json().map((t: { id: string }) => t.id)).toContain(taskId);
  });

  it('wait_for_reply blocks until someone else posts, not on its own messages', async () => {
    const { taskId, mcp } = await runningTask();
    const waiting = call(mcp, 'wait_for_reply', { timeout_seconds: 30 });
    let answered = false;
    void waiting.then(() => {
      answered = true;
    });
    // Its own post does not end the wait; a person's does.
    await call(mcp, 'post_message', { body: 'anyone?' });
    expect(answered).toBe(false);
    await admin.client.threads.post.mutate({ threadId: taskId, body: 'here' });
    const reply = await waiting;
    expect(reply.json()).toMatchObject({ body: 'here', author: 'alice' });
  });

  it('wait_for_reply with reply_to returns an answer posted before the call, and times out otherwise', async () => {
    const { taskId, mcp } = await runningTask();
    const question = (await call(mcp, 'post_message', { body: 'which port?', kind: 'request' })).json();
    await admin.client.threads.post.mutate({ threadId: taskId, body: '7420', replyTo: question.id });
    const reply = await call(mcp, 'wait_for_reply', { reply_to: question.id, timeout_seconds: 5 });
    expect(reply.json()).toMatchObject({ body: '7420', replyTo: question.id });
    const none = await call(mcp, 'wait_for_reply', { timeout_seconds: 1 });
    expect(none.json()).toMatchObject({ timedOut: true });
  });

  it('kv_set is compare-and-set: a stale if_version fails naming the current version', async () => {
    const { mcp } = await runningTask();
    expect((await call(mcp, 'kv_set', { key: 'mcp/counter', value: 1, if_version: 0 })).json()).toEqual({
      key: 'mcp/counter',
      version: 1,
    });
    const stale = await call(mcp, 'kv_set', { key: 'mcp/counter', value: 2, if_version: 0 });
    expect(stale.isError).toBe(true);
    expect(stale.text).toMatch(/version 1/);
    expect(stale.text.split('\n')).toHaveLength(1);
    await call(mcp, 'kv_set', { key: 'mcp/config', value: { retries: 3 } });
    expect((await call(mcp, 'kv_get', { key: 'mcp/config' })).json()).toMatchObject({
      value: { retries: 3 },
      version: 1,
    });
    expect((await call(mcp, 'kv_get', { key: 'mcp/absent' })).json()).toBeNull();
    const listed = (await call(mcp, 'kv_list', { prefix: 'mcp/' })).json();
    expect(listed.map((e: { key: string }) => e.key)).toEqual(['mcp/config', 'mcp/counter']);
  });

  it('spawn_task starts a child of the calling task; task_status lists it; wait_task returns when it ends', async () => {
    const { taskId, mcp } = await runningTask();
    // A label no worker has keeps it queued, so cancelling it ends it at once.
    const spawned = await call(mcp, 'spawn_task', { command: ['true'], labels: { pool: 'none' } });
    expect(spawned.isError).toBe(false);
    const childId = spawned.json().id as string;
    const status = (await call(mcp, 'task_status')).json();
    expect(status.children.map((c: { id: string }) => c.id)).toEqual([childId]);
    const waiting = call(mcp, 'wait_task', { task_id: childId, timeout_seconds: 30 });
    await admin.client.tasks.cancel.mutate({ id: childId });
    const ended = (await waiting).json();
    expect(ended).toMatchObject({ id: childId, status: 'cancelled', parentId: taskId });
  });

  it('spawn_task gives a child secrets the task was given, and only those', async () => {
    await admin.client.secrets.set.mutate({ name: 'API_KEY', value: 'sk-parent-1234' });
    await admin.client.secrets.set.mutate({ name: 'OTHER_KEY', value: 'sk-other-5678' });
    const task = await admin.client.tasks.submit.mutate({ command: ['sleep', '1000'], secrets: ['API_KEY'] });
    const assignment = await nextAssignment();
    expect(assignment).toMatchObject({ taskId: task.id, secrets: { API_KEY: 'sk-parent-1234' } });
    const mcp = await mcpFor(assignment.token as string);
    const spawned = await call(mcp, 'spawn_task', {
      command: ['true'],
      labels: { pool: 'none' },
      secrets: ['API_KEY'],
    });
    expect(spawned.isError, spawned.text).toBe(false);
    const child = await admin.client.tasks.get.query({ id: spawned.json().id as string });
    expect(child.secrets).toEqual(['API_KEY']);
    const wider = await call(mcp, 'spawn_task', { command: ['true'], secrets: ['OTHER_KEY'] });
    expect(wider).toMatchObject({
      isError: true,
      text: expect.stringContaining('give it a secret it was not given'),
    });
    await admin.client.tasks.cancel.mutate({ id: child.id });
  });

  it('who_is_online lists the worker', async () => {
    const { mcp } = await runningTask();
    const who = (await call(mcp, 'who_is_online')).json();
    expect(who).toContainEqual(expect.objectContaining({ kind: 'worker', name: 'w1', online: true }));
  });

  it('ask_human posts the question and returns the text a person answers with', async () => {
    const { taskId, mcp } = await runningTask();
    const asking = call(mcp, 'ask_human', { question: 'Drop the old column?', timeout_seconds: 30 });
    // The question shows in the task's thread (read from its start: no race with the call).
    await new Promise<void>((resolve, reject) => {
      const watch = admin.client.threads.watch.subscribe(
        { threadId: taskId, lastEventId: '0' },
        {
          onData: ({ data }) => {
            if (data.kind === 'request' && data.body === 'Drop the old column?') {
              watch.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    const [question] = await admin.client.approvals.list.query({ taskId });
    expect(question).toMatchObject({ tool: 'ask_human', question: true });
    const approvalId = question?.id as string;
    await admin.client.approvals.answer.mutate({ id: approvalId, text: 'yes, drop it' });
    expect((await asking).json()).toMatchObject({ answer: 'yes, drop it', by: 'alice' });
  });

  it("returns the coordinator's one-line refusal as an error result", async () => {
    const { mcp } = await runningTask();
    const missing = await call(mcp, 'read_thread', { thread_id: 'h-nope' });
    expect(missing.isError).toBe(true);
    expect(missing.text).toMatch(/h-nope/);
    expect(missing.text.split('\n')).toHaveLength(1);
  });
});
