import { router } from '../trpc.js';
import { authRouter } from './auth.js';
import { eventsRouter } from './events.js';
import { tasksRouter } from './tasks.js';
import { tokensRouter } from './tokens.js';
import { workersRouter } from './workers.js';

export const appRouter = router({
  auth: authRouter,
  tasks: tasksRouter,
  events: eventsRouter,
  workers: workersRouter,
  tokens: tokensRouter,
});

export type AppRouter = typeof appRouter;
