export { defaultDatabaseUrl } from './db/open.js';
export type { AppRouter } from './routers/index.js';
export { type RunningServer, type ServerOptions, startServer } from './startServer.js';
export type { NexaErrorData } from './trpc.js';
