import { randomUUID } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import {
  type Assignment,
  type Labels,
  NEXA_VERSION,
  NexaError,
  type WorkerMessage,
  type WorkerRegistration,
} from '@nexa/core';
import { agents } from './agents/index.js';
import { type Connection, connect, nexaCode } from './connection.js';
import { TaskEventStream } from './eventStream.js';
import { runTask } from './runTask.js';
import { sandboxes } from './sandbox/index.js';

export interface WorkerOptions {
  server: string;
  token: string;
  name?: string | undefined;
  labels?: Labels | undefined;
  capacity?: number | undefined;
  /** The worker's own files (working copies); defaults under the Nexa data directory. */
  dataDir: string;
  log?: (line: string) => void;
  /** How long `stop()` waits for running tasks' final events to be acknowledged. */
  stopTimeoutMs?: number;
}

/** The name a worker registers under when none is given: this host's name, made valid. */
export function defaultWorkerName(): string {
  return (
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 63) || 'worker'
  );
}

export interface RunningWorker {
  name: string;
  workerId: string;
  /** Tasks running right now, by task id. */
  running(): string[];
  /** Stops taking tasks, ends running ones, waits for their final events, disconnects. */
  stop(): Promise<void>;
}

interface ActiveTask {
  abort: AbortController;
  done: Promise<void>;
}

const fatalCodes = new Set(['conflict', 'not_found', 'forbidden', 'unauthorized']);

/** Connects to the coordinator and runs what it assigns until stopped. Resolves once registered. */
export function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const log = options.log ?? ((line: string) => console.error(line));
  const registration: WorkerRegistration = {
    name: options.name ?? defaultWorkerName(),
    instanceId: randomUUID(),
    labels: options.labels ?? {},
    capacity: options.capacity ?? availableParallelism(),
    version: NEXA_VERSION,
    sandboxes: Object.keys(sandboxes) as WorkerRegistration['sandboxes'],
    agents: Object.keys(agents) as WorkerRegistration['agents'],
  };
  const workRoot = join(options.dataDir, 'work');
  const active = new Map<string, ActiveTask>();
  let workerId = '';
  let heartbeat: NodeJS.Timeout | undefined;
  let heartbeatInFlight = false;
  let stopping = false;
  // One line per change of state, not one per retry.
  let link: 'connecting' | 'up' | 'down' = 'connecting';
  let everConnected = false;

  const connection: Connection = connect(options.server, options.token, {
    onOpen: () => {
      if (everConnected) log(`worker ${registration.name}: reconnected to ${options.server}`);
      everConnected = true;
      link = 'up';
    },
    onClose: () => {
      if (stopping) return;
      if (link === 'up')
        log(`worker ${registration.name}: lost the connection to ${options.server}; reconnecting`);
      else if (link === 'connecting')
        log(`worker ${registration.name}: cannot reach ${options.server} yet; retrying`);
      link = 'down';
    },
  });
  const { client } = connection;

  function startTask(assignment: Assignment): void {
    if (active.has(assignment.taskId)) return; // a re-delivered assignment
    const abort = new AbortController();
    const events = new TaskEventStream(assignment.taskId, assignment.attempt, assignment.firstSeq, {
      send: (batch) => client.events.append.mutate(batch),
      isFatal: (error) => fatalCodes.has(nexaCode(error) ?? ''),
      onFatal: (error) => {
        log(
          `worker ${registration.name}: task ${assignment.taskId} was taken away: ${(error as Error).message}`,
        );
        abort.abort();
      },
    });
    const done = runTask({ assignment, events, workRoot, signal: abort.signal })
      .catch((error: unknown) =>
        log(`worker ${registration.name}: task ${assignment.taskId}: ${String(error)}`),
      )
      .finally(() => active.delete(assignment.taskId));
    active.set(assignment.taskId, { abort, done });
  }

  function beat(): void {
    if (heartbeatInFlight) return;
    heartbeatInFlight = true;
    client.workers.heartbeat
      .mutate()
      .catch(() => {}) // a missed beat is what leases are for; the connection logs its own trouble
      .finally(() => {
        heartbeatInFlight = false;
      });
  }

  return new Promise<RunningWorker>((resolve, reject) => {
    let registered = false;
    const subscription = client.workers.connect.subscribe(registration, {
      onData(message: WorkerMessage) {
        if (message.type === 'registered') {
          workerId = message.workerId;
          clearInterval(heartbeat);
          heartbeat = setInterval(beat, message.heartbeatMs);
          heartbeat.unref();
          if (!registered) {
            registered = true;
            resolve(worker);
          }
        } else if (message.type === 'assign') {
          startTask(message.assignment);
        }
      },
      onError(error) {
        const code = nexaCode(error);
        const message = (error.data as { nexa?: { message?: string; hint?: string } } | undefined)?.nexa;
        const failure = new NexaError(
          code === 'unauthorized' ? 'unauthorized' : code === 'conflict' ? 'conflict' : 'internal',
          code === 'unauthorized'
            ? `the server at ${options.server} refused the worker's token (${message?.message ?? error.message})`
            : (message?.message ?? error.message),
          message?.hint ? { hint: message.hint } : {},
        );
        if (!registered) {
          stopping = true; // a refusal, not a lost connection: say nothing more
          void connection.close();
          reject(failure);
        } else {
          log(`worker ${registration.name}: ${failure.toLine()}`);
        }
      },
    });

    const worker: RunningWorker = {
      name: registration.name,
      get workerId() {
        return workerId;
      },
      running: () => [...active.keys()],
      async stop() {
        if (stopping) return;
        stopping = true;
        clearInterval(heartbeat);
        for (const task of active.values()) task.abort.abort();
        // Wait for the final events to be acknowledged, but not forever if the coordinator is gone.
        const finished = Promise.all([...active.values()].map((task) => task.done));
        let timer: NodeJS.Timeout | undefined;
        const gaveUp = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), options.stopTimeoutMs ?? 10_000);
        });
        if ((await Promise.race([finished, gaveUp])) === 'timeout') {
          log(`worker ${registration.name}: stopped without the coordinator acknowledging every event`);
        }
        clearTimeout(timer);
        subscription.unsubscribe();
        await connection.close();
      },
    };
  });
}
