import type { Approval, MessageAuthor, Task, Thread, ThreadMessage, WorkerInfo } from '@nexa/core';

/** The moment every frame test is drawn at, so elapsed times and ages are the same on every run. */
export const NOW = Date.parse('2026-11-26T12:00:00.000Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

let counter = 0;
/** Ids shaped like the coordinator's (`t-` + time + random), unique per call and stable per run. */
export const fixtureId = (prefix: string) =>
  `${prefix}-0000000000${(counter++).toString(32).padStart(5, '0')}`;
export const resetFixtureIds = () => {
  counter = 0;
};

export function makeTask(overrides: Partial<Task> = {}): Task {
  return {
    id: fixtureId('t'),
    agent: 'shell',
    command: ['make', 'test'],
    prompt: null,
    policy: null,
    approve: 'ask',
    approvalTimeoutMs: 600_000,
    env: {},
    labels: {},
    priority: 0,
    maxAttempts: 2,
    timeoutMs: null,
    graceMs: 10_000,
    repo: null,
    sandbox: null,
    image: null,
    network: false,
    limits: {},
    status: 'running',
    workerId: 'w-1',
    workerName: 'build-1',
    attempt: 1,
    exitCode: null,
    reason: null,
    createdAt: ago(120),
    startedAt: ago(95),
    finishedAt: null,
    cancelRequestedAt: null,
    waitingFor: null,
    lastLine: null,
    costUsd: null,
    ...overrides,
  } as Task;
}

export function makeWorker(overrides: Partial<WorkerInfo> = {}): WorkerInfo {
  return {
    id: fixtureId('w'),
    name: 'build-1',
    status: 'online',
    labels: {},
    capacity: 4,
    running: 1,
    version: '0.1.0',
    sandboxes: ['bwrap', 'process'],
    agents: ['shell', 'claude'],
    unavailableAgents: [],
    connectedAt: ago(3600),
    lastSeenAt: ago(1),
    ...overrides,
  } as WorkerInfo;
}

export function makeApproval(overrides: Partial<Approval> = {}): Approval {
  return {
    id: fixtureId('a'),
    taskId: 't-000000000000000',
    attempt: 1,
    agent: 'claude',
    tool: 'Bash',
    action: 'run `rm -rf build`',
    command: 'rm -rf build',
    risk: 'execute',
    question: false,
    status: 'pending',
    createdAt: ago(40),
    expiresAt: new Date(NOW + 560_000).toISOString(),
    decidedAt: null,
    decidedBy: null,
    rule: null,
    reason: null,
    ...overrides,
  } as Approval;
}

/** 200 tasks in every state, for the list and the key-latency bench. */
export function manyTasks(count = 200): Task[] {
  const statuses = ['running', 'queued', 'succeeded', 'failed', 'waiting_approval'] as const;
  return Array.from({ length: count }, (_, i) => {
    const status = statuses[i % statuses.length] ?? 'running';
    return makeTask({
      status,
      command: ['sh', '-c', `./step-${i}.sh`],
      workerName: status === 'queued' ? null : `build-${i % 20}`,
      waitingFor: status === 'queued' ? 'every eligible worker is busy' : null,
      startedAt: status === 'queued' ? null : ago(300 - i),
      finishedAt: status === 'succeeded' || status === 'failed' ? ago(200 - i) : null,
      exitCode: status === 'succeeded' ? 0 : status === 'failed' ? 1 : null,
      lastLine: status === 'queued' ? null : `step ${i}: ok`,
    });
  });
}

export function makeThread(overrides: Partial<Thread> = {}): Thread {
  return {
    id: fixtureId('h'),
    project: 'default',
    title: 'release plan',
    taskId: null,
    createdBy: 'alice',
    createdAt: ago(3600),
    lastMessageAt: ago(60),
    messages: 0,
    ...overrides,
  };
}

const person = (name: string): MessageAuthor => ({ kind: 'person', name, taskId: null, workerName: null });
const agent = (name: string, taskId: string, workerName: string): MessageAuthor => ({
  kind: 'agent',
  name,
  taskId,
  workerName,
});
export const authors = { person, agent };

export function makeMessage(
  overrides: Partial<ThreadMessage> & Pick<ThreadMessage, 'threadId' | 'seq'>,
): ThreadMessage {
  return {
    id: fixtureId('m'),
    project: 'default',
    author: person('alice'),
    kind: 'message',
    body: 'hello',
    replyTo: null,
    createdAt: ago(600 - overrides.seq * 30),
    ...overrides,
  };
}
