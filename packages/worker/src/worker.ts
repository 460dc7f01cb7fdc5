import { randomUUID } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import {
  type AgentName,
  isNexaErrorCode,
  type Labels,
  NEXA_VERSION,
  NexaError,
  type SandboxName,
  type WorkerMessage,
  type WorkerRegistration,
  within,
} from '@nexa/core';
import { nexaCode } from '@nexa/core/client';
import { AgentPrograms } from './agentPrograms.js';
import { appendSender } from './appendSender.js';
import { connect } from './connection.js';
import { probeSandboxes } from './sandbox/index.js';
import { TaskSupervisor } from './taskSupervisor.js';
import { pruneWorkspaces } from './workspace.js';

export interface WorkerOptions {
  server: string;
  token: string;
  /** PEM of a private CA the coordinator's certificate is checked against (its own connection and each task's relay). */
  ca?: string | undefined;
  name?: string | undefined;
  labels?: Labels | undefined;
  /** The projects it takes tasks of (`--project`); left out: every project its token allows. */
  projects?: string[] | undefined;
  capacity?: number | undefined;
  /** The worker's own files (working copies); defaults under the Nexa data directory. */
  dataDir: string;
  log?: (line: string) => void;
  /** At shutdown, how long running tasks may go on before they are handed back. */
  shutdownTimeoutMs?: number;
  /** Offer the process sandbox (no walls) to tasks that ask for it. */
  allowUnsandboxed?: boolean;
  /** The docker sandbox's image for tasks that name none. */
  image?: string | undefined;
  /** How long a finished task's working copy is kept before it is removed (its branch stays). */
  keepWorkdirsMs?: number;
  /**
   * How long a finished agent task's working copy is kept for `nexa continue`
   * (its agent's session lives there); never less than keepWorkdirsMs. Default 7 days.
   */
  keepAgentWorkdirsMs?: number;
  /**
   * The argv that runs the `nexa` CLI on this machine (the CLI passes node and
   * its own run.js): tasks with a token get it as `nexa` on their PATH, agents
   * as their `nexa mcp` tools. Without it, neither.
   */
  nexaCommand?: readonly string[];
  /** Where agent CLIs are, by name (--agent-bin claude=/opt/claude); others are looked up on PATH. */
  agentBins?: Record<string, string>;
  /** Names of this process's environment variables that coding agents get (--pass-env). */
  passEnv?: string[];
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
  /** The sandboxes that work on this machine, as registered. */
  sandboxes: SandboxName[];
  /** The agents it offers, as registered. */
  agents: AgentName[];
  /** Tasks running right now, by task id. */
  running(): string[];
  /**
   * Stops taking tasks, lets running ones go on for the shutdown timeout,
   * hands the rest back to the coordinator, then disconnects.
   */
  stop(): Promise<void>;
  /**
   * Settles when the coordinator refuses this worker's token after it had
   * registered (revoked or expired): its tasks have been stopped (they run
   * again elsewhere once their leases lapse) and it has disconnected.
   */
  readonly refused: Promise<NexaError>;
}

const fatalCodes = new Set(['conflict', 'not_found', 'forbidden', 'unauthorized', 'invalid_input']);
/** After handing back, how long to wait for the last events and hand-backs to be acknowledged. */
const FINAL_ACK_MS = 10_000;

/** A finished agent's session can be continued for a week by default. */
const DEFAULT_KEEP_AGENT_WORKDIRS_MS = 7 * 24 * 3_600_000;

/** How long shutdown waits to tell the coordinator it takes no new tasks. */
const LEAVE_MS = 2000;

/** Connects to the coordinator and runs what it assigns until stopped. Resolves once registered. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const log = options.log ?? ((line: string) => console.error(line));
  const sandboxOptions = { allowUnsandboxed: options.allowUnsandboxed ?? false, image: options.image };
  const { available, unavailable } = await probeSandboxes(sandboxOptions);
  if (available.size === 0) {
    const why = [...unavailable].map(([name, reason]) => `${name}: ${reason}`).join('; ');
    throw new NexaError('config', `no sandbox works on this machine (${why})`, {
      hint: 'install bubblewrap or Docker, or pass --allow-unsandboxed to run tasks that ask for --sandbox process',
    });
  }
  const programs = new AgentPrograms(options.agentBins);
  const agentEnv = Object.fromEntries(
    (options.passEnv ?? []).flatMap((name) =>
      process.env[name] === undefined ? [] : [[name, process.env[name]]],
    ),
  ) as Record<string, string>;
  // An empty key is no key: the agent would fail to log in all the same.
  const agentReadiness = programs.readiness(
    new Set(Object.keys(agentEnv).filter((name) => agentEnv[name] !== '')),
  );
  const registration: WorkerRegistration = {
    name: options.name ?? defaultWorkerName(),
    instanceId: randomUUID(),
    labels: options.labels ?? {},
    projects: options.projects ?? [],
    capacity: options.capacity ?? availableParallelism(),
    version: NEXA_VERSION,
    sandboxes: [...available.keys()],
    agents: agentReadiness.ready,
    unavailableAgents: agentReadiness.unavailable,
  };
  const say = (line: string) => log(`worker ${registration.name}: ${line}`);
  for (const problem of programs.problems) say(problem);
  for (const { agent, reason } of agentReadiness.unavailable) say(`${agent} is not offered: ${reason}`);
  for (const name of options.passEnv ?? []) {
    if (process.env[name] === undefined) say(`--pass-env ${name}: not set in this worker's environment`);
  }
  const keepAgentWorkdirsMs = Math.max(
    options.keepWorkdirsMs ?? 0,
    options.keepAgentWorkdirsMs ?? DEFAULT_KEEP_AGENT_WORKDIRS_MS,
  );
  await pruneWorkspaces(join(options.dataDir, 'work'), options.keepWorkdirsMs ?? 0, keepAgentWorkdirsMs);
  for (const [name, reason] of unavailable) say(`no ${name} sandbox: ${reason}`);
  let workerId = '';
  let heartbeat: NodeJS.Timeout | undefined;
  let heartbeatInFlight = false;
  let stopping = false;
  // One line per change of state, not one per retry.
  let link: 'connecting' | 'up' | 'down' = 'connecting';
  let everConnected = false;

  const connection = connect(options.server, options.token, {
    ca: options.ca,
    onOpen: () => {
      if (everConnected) say(`reconnected to ${options.server}`);
      everConnected = true;
      link = 'up';
    },
    onClose: () => {
      if (stopping) return;
      if (link === 'up') say(`lost the connection to ${options.server}; reconnecting`);
      else if (link === 'connecting') say(`cannot reach ${options.server} yet; retrying`);
      link = 'down';
    },
  });
  const { client } = connection;

  const supervisor = new TaskSupervisor({
    workRoot: join(options.dataDir, 'work'),
    sandboxes: available,
    defaultImage: options.image,
    keepWorkdirsMs: options.keepWorkdirsMs,
    keepAgentWorkdirsMs,
    server: options.server,
    ca: options.ca,
    nexaCommand: options.nexaCommand,
    programs,
    agentEnv,
    requestApproval: (request) => client.approvals.request.mutate(request),
    spoolDir: join(options.dataDir, 'spool'),
    // One message per flush for all the tasks it runs, each task answered on its own.
    sendEvents: appendSender((batches) => client.events.appendMany.mutate({ batches })),
    handBack: (attempt) => client.tasks.handBack.mutate(attempt),
    isFatal: (error) => fatalCodes.has((error instanceof NexaError ? error.code : nexaCode(error)) ?? ''),
    log: say,
  });

  function beat(): void {
    if (heartbeatInFlight) return;
    heartbeatInFlight = true;
    client.workers.heartbeat
      .mutate({ running: supervisor.running().map((r) => r.taskId) })
      .catch(() => {}) // a missed beat is what leases are for; the connection logs its own trouble
      .finally(() => {
        heartbeatInFlight = false;
      });
  }

  function onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'registered':
        workerId = message.workerId;
        clearInterval(heartbeat);
        heartbeat = setInterval(beat, message.heartbeatMs);
        heartbeat.unref();
        // After every (re)registration both sides agree on what runs here.
        client.workers.reconcile.mutate({ running: supervisor.running() }).catch((error: unknown) => {
          say(`could not re-attach running tasks: ${(error as Error).message}`);
        });
        supervisor.resyncApprovals();
        break;
      case 'decision':
        supervisor.deliverDecision(message.key, message.approval, message.decision);
        break;
      case 'assign':
        if (stopping) {
          void client.tasks.handBack.mutate({
            taskId: message.assignment.taskId,
            attempt: message.assignment.attempt,
          });
        } else {
          supervisor.start(message.assignment);
        }
        break;
      case 'stop':
        if (message.reason === 'reassigned') {
          say(`task ${message.taskId} attempt ${message.attempt} runs elsewhere now; stopping this copy`);
        }
        supervisor.stop(message.taskId, message.attempt, message.reason, message.graceMs);
        break;
      case 'message':
        // Not taken (a command, or its run is ending): it stays in the thread, for `nexa continue`.
        supervisor.deliverMessage(message.taskId, message.attempt, message.message);
        break;
    }
  }

  let refuse: (failure: NexaError) => void = () => {};
  const refused = new Promise<NexaError>((resolve) => {
    refuse = resolve;
  });

  return new Promise<RunningWorker>((resolve, reject) => {
    let registered = false;
    let subscription: { unsubscribe(): void } | undefined;

    /** The session; opened again if the coordinator ends it (e.g. after declaring this worker lost). */
    function open(): void {
      subscription = client.workers.connect.subscribe(registration, {
        onData(message: WorkerMessage) {
          onMessage(message);
          if (message.type === 'registered' && !registered) {
            registered = true;
            resolve(worker);
          }
        },
        onError(error) {
          const code = nexaCode(error);
          const detail = (error.data as { nexa?: { message?: string; hint?: string } } | undefined)?.nexa;
          // The coordinator's own code: a name or label its credential does not allow is `forbidden`.
          const failure = new NexaError(
            isNexaErrorCode(code) ? code : 'internal',
            code === 'unauthorized'
              ? `the server at ${options.server} refused the worker's token (${detail?.message ?? error.message})`
              : (detail?.message ?? error.message),
            detail?.hint ? { hint: detail.hint } : {},
          );
          if (!registered) {
            stopping = true; // a refusal, not a lost connection: say nothing more
            void connection.close();
            reject(failure);
            return;
          }
          if (failure.code === 'unauthorized') {
            // Revoked or expired: no retry can succeed, and the tasks' events can no longer be stored.
            stopping = true;
            supervisor.stopAll('shutdown');
            clearInterval(heartbeat);
            void connection.close().finally(() => refuse(failure));
            return;
          }
          say(`${failure.toLine()}; registering again`);
          setTimeout(() => !stopping && open(), 1000).unref();
        },
        onComplete() {
          if (stopping) return;
          say('the coordinator ended this session (the worker was presumed lost); registering again');
          open();
        },
      });
    }
    open();

    const worker: RunningWorker = {
      name: registration.name,
      sandboxes: registration.sandboxes,
      agents: registration.agents,
      get workerId() {
        return workerId;
      },
      running: () => supervisor.running().map((r) => r.taskId),
      refused,
      async stop() {
        if (stopping) return;
        stopping = true;
        // Over a WebSocket a call waits for the coordinator to come back; at shutdown, not for long.
        await within(
          client.workers.leave.mutate().catch(() => {}),
          LEAVE_MS,
        );
        if (supervisor.size > 0) {
          const limit = options.shutdownTimeoutMs ?? 30_000;
          if (limit > 0)
            say(`waiting up to ${Math.round(limit / 1000)} s for ${supervisor.size} running task(s)`);
          if (!(await supervisor.settle(limit))) {
            say(`handing ${supervisor.size} task(s) back to the coordinator`);
            supervisor.stopAll('shutdown');
            if (!(await supervisor.settle(FINAL_ACK_MS))) {
              say('stopped before the coordinator acknowledged every event; those tasks will run again');
            }
          }
        }
        clearInterval(heartbeat);
        subscription?.unsubscribe();
        await connection.close();
      },
    };
  });
}
