// A worker SIGKILLed mid-task: time from the kill until the task's next attempt
// starts on another worker (default heartbeat 2 s, lease 10 s). Budget
// (DESIGN.md): lost worker detected and its tasks requeued ≤ 15 s.
import { performance } from 'node:perf_hooks';
import { figure } from './result.mjs';
import { startStack } from './stack.mjs';

export const failoverFlags = {};

function waitForOutput(client, taskId, text) {
  return new Promise((resolve, reject) => {
    const subscription = client.events.tail.subscribe(
      { taskId },
      {
        onData: ({ data }) => {
          if (data.kind === 'output' && data.data.includes(text)) {
            resolve(data);
            subscription.unsubscribe();
          }
        },
        onError: reject,
      },
    );
  });
}

export async function benchFailover({ quick }) {
  const runs = quick ? 1 : 3;
  const seconds = [];
  for (let run = 1; run <= runs; run++) {
    const stack = await startStack({ workers: ['one', 'two'] });
    try {
      const task = await stack.client.tasks.submit.mutate({
        sandbox: 'process',
        command: ['sh', '-c', 'echo "attempt $NEXA_ATTEMPT"; sleep 60'],
      });
      await waitForOutput(stack.client, task.id, 'attempt 1');
      const { workerId } = await stack.client.tasks.get.query({ id: task.id });
      const holder = (await stack.client.workers.list.query()).find((worker) => worker.id === workerId);
      const killAt = performance.now();
      stack.workers[holder.name].kill('SIGKILL');
      await waitForOutput(stack.client, task.id, 'attempt 2');
      seconds.push((performance.now() - killAt) / 1000);
      await stack.client.tasks.cancel.mutate({ id: task.id });
    } finally {
      await stack.close();
    }
  }
  return {
    name: 'failover',
    title:
      'Failover: worker SIGKILLed mid-task → task restarted on another worker (heartbeat 2 s, lease 10 s)',
    rows: seconds.map((value, i) =>
      figure(`run ${i + 1}: kill → restart`, { nexa: value, unit: 's', budget: '≤ 15 s' }),
    ),
    notes: [
      'no raw figure: the floor is the lease (10 s), the least time in which a lost worker can be told from a slow one',
    ],
    data: { seconds },
  };
}
