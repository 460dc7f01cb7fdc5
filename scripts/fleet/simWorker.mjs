// One simulated worker: its own WebSocket to the coordinator, speaking the real
// worker's protocol (packages/worker/src/worker.ts): a workers.connect session
// with a WorkerRegistration, workers.reconcile after each registration,
// heartbeats at the coordinator's pace, and each assignment "run" as a SimTask
// that sends what a printing command would. It spawns nothing.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { NEXA_VERSION } from '@nexa/core';
import { createNexaClient } from '@nexa/core/client';
import { appendSender } from '@nexa/worker/appendSender';
import { SimTask } from './simTask.mjs';

const now = () => performance.timeOrigin + performance.now();

export class SimWorker {
  /** Running attempts by task id. */
  tasks = new Map();
  workerId = '';
  heartbeat = undefined;
  heartbeatInFlight = false;
  closing = false;

  /**
   * @param {{server: string, token: string, name: string, labels: Record<string, string>, capacity: number,
   *   stats: import('./simStats.mjs').SimStats, report: (message: object) => void}} options
   */
  constructor(options) {
    this.options = options;
    this.registration = {
      name: options.name,
      instanceId: randomUUID(),
      labels: options.labels,
      capacity: options.capacity,
      version: NEXA_VERSION,
      sandboxes: ['process'],
      agents: ['shell'],
      unavailableAgents: [],
    };
    const { client, close } = createNexaClient({
      server: options.server,
      token: options.token,
      transport: 'websocket',
      keepAlive: true,
    });
    this.client = client;
    this.closeClient = close;
    // As the real worker sends: every task's batch of one turn in one events.appendMany.
    this.send = appendSender((batches) => client.events.appendMany.mutate({ batches }));
  }

  /** Opens the session; resolves once the coordinator registered this worker. */
  open() {
    return new Promise((resolve, reject) => {
      let registered = false;
      const session = () => {
        this.subscription = this.client.workers.connect.subscribe(this.registration, {
          onData: (message) => {
            this.onMessage(message);
            if (message.type === 'registered' && !registered) {
              registered = true;
              resolve();
            }
          },
          onError: (error) => {
            if (!registered) return reject(error);
            this.options.report({
              type: 'sessionError',
              worker: this.registration.name,
              error: error.message,
            });
            if (!this.closing) setTimeout(() => !this.closing && session(), 1000).unref();
          },
          onComplete: () => {
            if (this.closing) return;
            // The coordinator ends a session when it declares the worker lost.
            this.options.report({ type: 'sessionEnded', worker: this.registration.name, at: now() });
            session();
          },
        });
      };
      session();
    });
  }

  onMessage(message) {
    switch (message.type) {
      case 'registered':
        this.workerId = message.workerId;
        clearInterval(this.heartbeat);
        this.heartbeat = setInterval(() => this.beat(), message.heartbeatMs);
        this.client.workers.reconcile.mutate({ running: this.running() }).catch((error) => {
          this.options.report({ type: 'sessionError', worker: this.registration.name, error: error.message });
        });
        break;
      case 'assign':
        this.start(message.assignment);
        break;
      case 'stop': {
        const task = this.tasks.get(message.taskId);
        if (!task || task.attempt !== message.attempt) break;
        this.tasks.delete(message.taskId);
        if (message.reason === 'cancelled') task.cancel();
        else task.ended = true; // reassigned: this copy stops, the new one reports
        break;
      }
      // 'decision': shell tasks ask for no approvals
    }
  }

  start(assignment) {
    const current = this.tasks.get(assignment.taskId);
    if (current && current.attempt >= assignment.attempt) return; // delivered twice
    if (current) current.ended = true;
    const task = new SimTask(assignment, this.send, this.options.stats);
    this.tasks.set(assignment.taskId, task);
    const { taskId, attempt } = assignment;
    this.options.report({ type: 'assigned', taskId, attempt, worker: this.registration.name, at: now() });
    void task.start().then((stored) => {
      if (stored) this.options.report({ type: 'running', taskId, attempt, at: now() });
      else if (this.tasks.get(taskId) === task) this.tasks.delete(taskId);
    });
  }

  running() {
    return [...this.tasks.values()].map((task) => ({ taskId: task.taskId, attempt: task.attempt }));
  }

  beat() {
    if (this.heartbeatInFlight) return;
    this.heartbeatInFlight = true;
    this.client.workers.heartbeat
      .mutate({ running: [...this.tasks.keys()] })
      .catch((error) => this.options.stats.failed(`heartbeat ${error.data?.nexa?.code ?? 'transport'}`))
      .finally(() => {
        this.heartbeatInFlight = false;
      });
  }

  tick(seconds, linesPerSecond) {
    for (const task of this.tasks.values()) task.tick(seconds, linesPerSecond);
  }

  async close() {
    this.closing = true;
    clearInterval(this.heartbeat);
    for (const task of this.tasks.values()) task.ended = true;
    this.subscription?.unsubscribe();
    await this.closeClient();
  }
}
