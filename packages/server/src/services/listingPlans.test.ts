import type { InStatement } from '@libsql/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../testing/harness.js';
import { activeStatuses } from './tasks.js';

let harness: Harness;
beforeEach(async () => {
  harness = await createHarness();
  await harness.as('admin').projects.create({ name: 'web' });
});
afterEach(() => harness.close());

/** The SELECTs `read` sends to the database, as SQLite received them. */
async function selectsOf(read: () => Promise<unknown>): Promise<InStatement[]> {
  const { client } = harness.services.database;
  const execute = client.execute;
  const seen: InStatement[] = [];
  client.execute = ((statement: InStatement) => {
    seen.push(statement);
    return (execute as (statement: InStatement) => ReturnType<typeof execute>).call(client, statement);
  }) as typeof client.execute;
  try {
    await read();
  } finally {
    client.execute = execute;
  }
  return seen.filter((statement) =>
    /^\s*select/i.test(typeof statement === 'string' ? statement : statement.sql),
  );
}

/** SQLite's plan for a statement, one line per step ("SEARCH tasks USING INDEX ..."). */
async function planOf(statement: InStatement): Promise<string[]> {
  const { sql, args } = typeof statement === 'string' ? { sql: statement, args: [] } : statement;
  const plan = await harness.services.database.client.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args });
  return plan.rows.map((row) => String(row.detail));
}

/**
 * Steps whose work grows with the table: reading all of it, or sorting all
 * it matched. Sorting the rows of one page, fetched by their ids, is not.
 */
function wholeTableSteps(plan: string[]): string[] {
  const byIds = plan.some((step) => /^SEARCH \w+ USING \w*\s?INDEX \w+ \(id=\?\)$/.test(step));
  return plan.filter(
    (step) =>
      /^SCAN (tasks|task_events|approvals|threads|messages|kv)$/.test(step) ||
      (!byIds && /TEMP B-TREE FOR ORDER BY/.test(step)),
  );
}

async function expectIndexed(read: () => Promise<unknown>): Promise<void> {
  const selects = await selectsOf(read);
  expect(selects.length).toBeGreaterThan(0);
  for (const statement of selects) {
    const plan = await planOf(statement);
    expect(wholeTableSteps(plan), `${JSON.stringify(statement)}\n${plan.join('\n')}`).toEqual([]);
  }
}

describe('what listings cost', () => {
  it('pages tasks newest first from an index, with and without a status, from a cursor', async () => {
    const member = harness.as('member');
    for (let i = 0; i < 5; i++) await member.tasks.submit({ command: ['echo', String(i)] });
    const { tasks } = harness.services;
    const first = await tasks.listRows({ limit: 2 });
    expect(first.next).not.toBeNull();
    await expectIndexed(() => tasks.listRows({ limit: 2 }));
    await expectIndexed(() => tasks.listRows({ limit: 2, after: first.next ?? undefined }));
    await expectIndexed(() => tasks.listRows({ status: 'queued', limit: 2 }));
    await expectIndexed(() => tasks.listRows({ status: 'queued', limit: 2, after: first.next ?? undefined }));
  });

  it('reads approvals, a page of a task log and the expired leases through indexes', async () => {
    const task = await harness.as('member').tasks.submit({ command: ['true'] });
    const { approvals, events, tasks } = harness.services;
    await expectIndexed(() => approvals.list({ limit: 10 }));
    await expectIndexed(() => approvals.list({ status: ['pending'], limit: 10 }));
    await expectIndexed(() => approvals.list({ taskId: task.id, limit: 10 }));
    await expectIndexed(() => events.list(task.id, 0, 100));
    await expectIndexed(() => tasks.expired(Date.now()));
    expect(activeStatuses.length).toBeGreaterThan(1); // expired() asks for several statuses at once
  });

  it('pages a project’s tasks, a task’s children, threads, messages and keys through indexes', async () => {
    const member = harness.as('member');
    for (let i = 0; i < 3; i++)
      await member.tasks.submit({ project: 'web', agent: 'claude', prompt: `p${i}` });
    const thread = await member.threads.create({ project: 'web', title: 'plans' });
    for (let i = 0; i < 3; i++) await member.threads.post({ threadId: thread.id, body: `m${i}` });
    await member.kv.set({ project: 'web', key: 'a/b', value: 1 });
    const { tasks, threads, kv, presence } = harness.services;
    const first = await tasks.listRows({ project: 'web', limit: 2 });
    await expectIndexed(() => tasks.listRows({ project: 'web', limit: 2 }));
    await expectIndexed(() => tasks.listRows({ project: 'web', limit: 2, after: first.next ?? undefined }));
    await expectIndexed(() => tasks.listRows({ parentId: 't-x', limit: 2 }));
    await expectIndexed(() => tasks.children('t-x'));
    await expectIndexed(() => tasks.activeDescendants('t-x'));
    const page = await threads.list('web', 1);
    await expectIndexed(() => threads.list('web', 1));
    await expectIndexed(() => threads.list('web', 1, page.next ?? undefined));
    await expectIndexed(() => threads.messagesAfter(thread.id, 1, 100));
    await expectIndexed(() => kv.list('web', { prefix: 'a/' }, 100));
    await expectIndexed(() => kv.get('web', 'a/b'));
    await expectIndexed(() => presence.who(['web']));
  });
});
