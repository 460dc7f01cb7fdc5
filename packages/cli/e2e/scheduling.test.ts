import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from './cluster.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster?.stop());

const fleet: { name: string; labels: Record<string, string>; capacity: number }[] = [
  { name: 'small-a', labels: { pool: 'a' }, capacity: 1 },
  { name: 'gpu-a', labels: { pool: 'a', gpu: '1' }, capacity: 2 },
  { name: 'wide-b', labels: { pool: 'b' }, capacity: 3 },
];
const selectors: Record<string, string>[] = [{}, { pool: 'a' }, { gpu: '1' }, { pool: 'b' }];

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** The largest number of [start, end) intervals that overlap at any instant. */
function peakOverlap(intervals: [number, number][]): number {
  const points = intervals.flatMap(([start, end]) => [
    [start, 1],
    [end, -1],
  ]);
  points.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  let current = 0;
  let peak = 0;
  for (const [, delta] of points) {
    current += delta as number;
    peak = Math.max(peak, current);
  }
  return peak;
}

describe('scheduling 50 tasks over 3 workers', () => {
  it('runs every task on an eligible worker, never above capacity, higher priority first', async () => {
    // Everything is queued before any worker connects, so the order of assignment is the scheduler's alone.
    const submitted = [];
    for (let i = 0; i < 50; i++) {
      const labels = selectors[i % selectors.length] as Record<string, string>;
      const priority = (i * 7) % 5; // 0..4, mixed
      submitted.push(
        await cluster.observer.api.tasks.submit.mutate({
          sandbox: 'process',
          command: ['sh', '-c', 'sleep 0.2'],
          labels,
          priority,
        }),
      );
    }
    for (const worker of fleet) {
      const labels = Object.entries(worker.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      await cluster.worker(worker.name, ['--labels', labels, '--capacity', String(worker.capacity)]);
    }
    const done = await Promise.all(
      submitted.map((task) =>
        cluster.observer.waitForTask(task.id, (t) => t.status === 'succeeded', 120_000),
      ),
    );
    const listed = await cluster.observer.api.workers.list.query();
    const byId = new Map(listed.map((w) => [w.id, fleet.find((f) => f.name === w.name)]));

    // Eligible: the worker that ran each task carries every label it selected.
    for (const task of done)
      expect(matches(task.labels, byId.get(task.workerId as string)?.labels ?? {})).toBe(true);

    // Never above capacity: from each attempt's assignment to its end.
    for (const worker of listed) {
      const intervals = done
        .filter((task) => task.workerId === worker.id)
        .map((task) => {
          const attempt = task.attempts[0];
          return [Date.parse(attempt?.assignedAt ?? ''), Date.parse(attempt?.finishedAt ?? '')] as [
            number,
            number,
          ];
        });
      expect(peakOverlap(intervals)).toBeLessThanOrEqual(byId.get(worker.id)?.capacity ?? 0);
    }

    // Higher priority first: a task given to a worker was never assigned before a
    // higher-priority task that worker could also have run.
    const assignedAt = (task: (typeof done)[number]) => Date.parse(task.attempts[0]?.assignedAt ?? '');
    for (const later of done) {
      const worker = byId.get(later.workerId as string);
      for (const other of done) {
        if (other.priority > later.priority && matches(other.labels, worker?.labels ?? {})) {
          expect(assignedAt(other)).toBeLessThanOrEqual(assignedAt(later));
        }
      }
    }
  });
});
