import type { TokenService } from '../auth/tokens.js';
import type { Database } from '../db/open.js';
import { EventLog } from './eventLog.js';
import { LiveFeed } from './liveFeed.js';
import { Scheduler } from './scheduler.js';
import { TaskService } from './tasks.js';
import { WorkerHub } from './workerHub.js';

export interface ServiceOptions {
  heartbeatMs: number;
  leaseMs: number;
  log: (line: string) => void;
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
  options: ServiceOptions;
}

export function createServices(database: Database, tokens: TokenService, options: ServiceOptions): Services {
  const feed = new LiveFeed();
  const tasks = new TaskService(database);
  const workers = new WorkerHub(database, tasks, options.heartbeatMs);
  let scheduler: Scheduler | undefined;
  const events = new EventLog(database, tasks, feed, () => void scheduler?.kick());
  scheduler = new Scheduler(database, tasks, events, workers, options.leaseMs, options.log);
  return { database, tokens, tasks, events, feed, workers, scheduler, options };
}
