// The approvals queue's own cost, over the wire, against a bare mutation on the
// same WebSocket measured in the same run: a request a policy decides (one
// round trip: fencing check, rule evaluation, one insert), and a person's
// answer reaching the worker that asked (answer → decision message). This
// process plays the worker, so no agent's own time is in the numbers.
import { performance } from 'node:perf_hooks';
import { createNexaClient } from '@nexa/core/client';
import { figure } from './result.mjs';
import { startStack } from './stack.mjs';
import { percentile } from './stats.mjs';

export const approvalsFlags = {};

const registration = {
  name: 'bench-agent-worker',
  instanceId: 'bench-agent-worker-1',
  labels: {},
  capacity: 1,
  version: 'bench',
  sandboxes: ['process'],
  agents: ['shell', 'claude'],
};

/** Connects as a worker; `next(type)` resolves with the next message of that type. */
async function connectWorker(url, token) {
  const { client, close: closeClient } = createNexaClient({ server: url, token, transport: 'websocket' });
  const waiters = [];
  const subscription = client.workers.connect.subscribe(registration, {
    onData(message) {
      const index = waiters.findIndex((w) => w.type === message.type);
      if (index >= 0) waiters.splice(index, 1)[0].resolve(message);
    },
  });
  const next = (type) => new Promise((resolve) => waiters.push({ type, resolve }));
  await next('registered');
  return {
    client,
    next,
    close: async () => {
      subscription.unsubscribe();
      await closeClient();
    },
  };
}

export async function benchApprovals({ quick }) {
  const runs = quick ? 30 : 300;
  const stack = await startStack({ workers: [] });
  const { token } = await stack.client.tokens.create.mutate({ role: 'worker' });
  const worker = await connectWorker(stack.url, token);
  try {
    const assigned = worker.next('assign');
    const task = await stack.client.tasks.submit.mutate({
      agent: 'claude',
      prompt: 'bench',
      sandbox: 'process',
      policy: { rules: [{ tool: 'Bash', command: 'echo *', decision: 'allow' }] },
    });
    await assigned;
    let key = 0;
    const ask = (command) =>
      worker.client.approvals.request.mutate({
        taskId: task.id,
        attempt: 1,
        key: String(key++),
        tool: 'Bash',
        action: `run \`${command}\``,
        command,
        risk: 'execute',
      });
    const time = async (operation) => {
      const started = performance.now();
      await operation();
      return performance.now() - started;
    };
    for (let i = 0; i < 20; i++) await ask('echo warm'); // JIT and the database
    const bare = [];
    const byPolicy = [];
    const byPerson = [];
    for (let i = 0; i < runs; i++) {
      bare.push(await time(() => worker.client.workers.heartbeat.mutate({ running: [task.id] })));
      byPolicy.push(await time(() => ask('echo hi')));
      const { approval } = await ask('make deploy'); // no rule: waits for a person
      const decided = worker.next('decision');
      byPerson.push(
        await time(async () => {
          await stack.client.approvals.answer.mutate({ id: approval.id, approve: true });
          await decided;
        }),
      );
    }
    const rows = (label, samples) =>
      [50, 99].map((p) =>
        figure(`${label} p${p}`, { nexa: percentile(samples, p), raw: percentile(bare, p), unit: 'ms' }),
      );
    return {
      name: 'approvals',
      title: `Approvals over the wire, beside a bare mutation round trip (heartbeat) on the same WebSocket (${runs} runs each, interleaved)`,
      rows: [
        ...rows('request decided by policy', byPolicy),
        ...rows("person's answer → worker has it", byPerson),
      ],
      notes: [],
      data: { runs, samples: { bare, byPolicy, byPerson } },
    };
  } finally {
    await worker.close();
    await stack.close();
  }
}
