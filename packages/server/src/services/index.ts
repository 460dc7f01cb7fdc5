import type { TokenService } from '../auth/tokens.js';
import type { Database } from '../db/open.js';
import { PrincipalLimits } from '../limits/principalLimits.js';
import { ApprovalService } from './approvals.js';
import { Assignments } from './assignments.js';
import { AuditLog } from './audit.js';
import { EventLog } from './eventLog.js';
import { KvService } from './kv.js';
import { LeaseBook } from './leaseBook.js';
import { LeaseMonitor } from './leaseMonitor.js';
import { TaskLifecycle } from './lifecycle.js';
import { LiveFeed } from './liveFeed.js';
import { PolicyStore } from './policies.js';
import { Presence } from './presence.js';
import { Authors } from './projectScope.js';
import { ProjectService } from './projects.js';
import { Scheduler } from './scheduler.js';
import { SecretStore } from './secrets.js';
import { TaskActivityTracker } from './taskActivity.js';
import { TaskControl } from './taskControl.js';
import { TaskFeed } from './taskFeed.js';
import { TaskResults } from './taskResults.js';
import { TaskSecrets } from './taskSecrets.js';
import { TaskService } from './tasks.js';
import { TaskViews } from './taskViews.js';
import { ThreadService } from './threads.js';
import { WorkerCredentials } from './workerCredentials.js';
import { WorkerFeed } from './workerFeed.js';
import { WorkerHub } from './workerHub.js';
import { WorkerNames } from './workerNames.js';
import { WorkerRevocation } from './workerRevocation.js';

export interface ServiceOptions {
  heartbeatMs: number;
  leaseMs: number;
  /** Task submissions one token may make per minute (default limits.rates.submitsPerMinute). */
  submitsPerMinute?: number | undefined;
  /** Reverse proxies whose X-Forwarded-For names the client (http/clientAddress.ts). */
  trustedProxies: ReadonlySet<string>;
  log: (line: string) => void;
  /** The secret store's key (auth/secretKey.ts): secrets are sealed under it. */
  secretKey: Uint8Array;
}

/** Everything a procedure can reach, built once per coordinator. */
export interface Services {
  database: Database;
  tokens: TokenService;
  tasks: TaskService;
  events: EventLog;
  feed: LiveFeed;
  workers: WorkerHub;
  scheduler: Scheduler;
  control: TaskControl;
  leases: LeaseMonitor;
  policies: PolicyStore;
  approvals: ApprovalService;
  threads: ThreadService;
  kv: KvService;
  /** Who is on line (nexa who). */
  presence: Presence;
  /** A task's last agent message, and its end (sub-task results). */
  results: TaskResults;
  /** Who a caller is as a message author (a person, or a task's agent on its worker). */
  authors: Authors;
  /** Running tasks' last line and cost, in memory. */
  activity: TaskActivityTracker;
  /** Task rows as a viewer sees them (worker name, live line and cost, why it waits). */
  views: TaskViews;
  /** The live task list (tasks.watch). */
  taskFeed: TaskFeed;
  /** The live worker list (workers.watch). */
  workerFeed: WorkerFeed;
  /** Who did what, when, from where (nexa audit). */
  audit: AuditLog;
  /** Workers that join with a join token and connect with their own credential. */
  workerCredentials: WorkerCredentials;
  /** `nexa workers revoke`: a worker cut off at once. */
  workerRevocation: WorkerRevocation;
  /** Submissions, sockets and failed authentications per principal or address. */
  rates: PrincipalLimits;
  /** Secrets, sealed; opened only for a task's assignment (nexa secret). */
  secrets: SecretStore;
  /** Running tasks' secret values, redacted from whatever they write before it is stored. */
  taskSecrets: TaskSecrets;
  /** The projects that exist, and which one a call works in. */
  projects: ProjectService;
  options: ServiceOptions;
}

export function createServices(database: Database, tokens: TokenService, options: ServiceOptions): Services {
  const feed = new LiveFeed();
  const audit = new AuditLog(database, options.log);
  const tasks = new TaskService(database);
  const secrets = new SecretStore(database, options.secretKey, options.log);
  const taskSecrets = new TaskSecrets(secrets, tasks);
  const leaseBook = new LeaseBook();
  const projects = new ProjectService(database);
  const workerCredentials = new WorkerCredentials(database, tokens);
  const workers = new WorkerHub(database, tasks, leaseBook, options, workerCredentials, projects);
  const policies = new PolicyStore(database);
  const workerNames = new WorkerNames(database);
  const threads = new ThreadService(database, workers, workerNames, taskSecrets);
  const approvals = new ApprovalService(database, tasks, policies, workers, threads);
  const authors = new Authors(tasks, workerNames);
  let scheduler: Scheduler | undefined;
  const kick = () => void scheduler?.kick();
  const activity = new TaskActivityTracker();
  const events = new EventLog(
    database,
    tasks,
    feed,
    activity,
    (writer, taskId, status) => {
      leaseBook.release(taskId);
      taskSecrets.forget(taskId);
      writer.afterward(() => {
        kick();
        tokens.endTaskConnections(taskId); // its attempt's token is good no more
        // After the write that released the task: nobody can answer its requests any more.
        approvals
          .expireTask(
            taskId,
            status === 'queued'
              ? 'its attempt ended; the task was queued again'
              : `the task ended (${status})`,
          )
          // A task handed back while the coordinator shuts down ends after the database closed;
          // that must not crash the process (its requests then expire by their own timeout).
          .catch((error: unknown) =>
            options.log(
              `approvals: the requests of ${taskId} were not expired: ${error instanceof Error ? error.message : String(error)}`,
            ),
          );
      });
    },
    (taskId) => leaseBook.ending(taskId),
    taskSecrets,
  );
  // A task token's attempt is live while a connected worker holds it: asked of memory, not the database.
  tokens.trustAttemptsOf(leaseBook);
  const assignments = new Assignments(tokens, events, secrets, taskSecrets);
  scheduler = new Scheduler(
    database,
    tasks,
    events,
    workers,
    leaseBook,
    options.leaseMs,
    options.log,
    assignments,
  );
  const views = new TaskViews(scheduler, workerNames, activity);
  const taskFeed = new TaskFeed(database, tasks, views, activity, options.log);
  const workerFeed = new WorkerFeed(workers, taskFeed, options.log);
  const lifecycle = new TaskLifecycle(events);
  const control = new TaskControl(database, tasks, events, lifecycle, workers, kick, assignments, threads);
  const workerRevocation = new WorkerRevocation(database, tokens, workers, tasks, lifecycle, kick);
  const leases = new LeaseMonitor(database, tasks, workers, leaseBook, lifecycle, {
    leaseMs: options.leaseMs,
    onRequeued: kick,
    log: options.log,
  });
  return {
    database,
    tokens,
    tasks,
    events,
    feed,
    workers,
    scheduler,
    control,
    leases,
    policies,
    approvals,
    threads,
    kv: new KvService(database),
    presence: new Presence(database, workers, workerNames),
    results: new TaskResults(tasks, events, feed),
    authors,
    activity,
    views,
    taskFeed,
    workerFeed,
    audit,
    workerCredentials,
    workerRevocation,
    rates: new PrincipalLimits(audit, options.submitsPerMinute),
    secrets,
    taskSecrets,
    projects,
    options,
  };
}

/**
 * What a coordinator does once at start: nobody is connected yet, and every
 * held task gets one lease's time for its worker to reconnect and re-attach.
 */
export async function recoverAtStart(services: Services): Promise<void> {
  const { database, tasks, workers, options } = services;
  await database.writes.run((writer) =>
    writer.db.batch([
      workers.markAllOffline(writer),
      tasks.renewAllLeases(writer, Date.now() + options.leaseMs),
    ]),
  );
  services.leases.start();
  await services.approvals.start();
}
