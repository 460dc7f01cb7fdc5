import { router } from '../trpc.js';
import { approvalsRouter } from './approvals.js';
import { auditRouter } from './audit.js';
import { authRouter } from './auth.js';
import { eventsRouter } from './events.js';
import { kvRouter } from './kv.js';
import { policyRouter } from './policy.js';
import { presenceRouter } from './presence.js';
import { projectsRouter } from './projects.js';
import { secretsRouter } from './secrets.js';
import { tasksRouter } from './tasks.js';
import { threadsRouter } from './threads.js';
import { tokensRouter } from './tokens.js';
import { workersRouter } from './workers.js';

export const appRouter = router({
  auth: authRouter,
  tasks: tasksRouter,
  events: eventsRouter,
  workers: workersRouter,
  tokens: tokensRouter,
  approvals: approvalsRouter,
  policy: policyRouter,
  threads: threadsRouter,
  kv: kvRouter,
  presence: presenceRouter,
  audit: auditRouter,
  secrets: secretsRouter,
  projects: projectsRouter,
});

export type AppRouter = typeof appRouter;
