import { NexaError } from '@nexa/core';
import { credentialsPath, readCredentials, saveServerToken } from '@nexa/core/config';
import { loadOrCreateSecretKey } from './auth/secretKey.js';
import { loadOrCreateSigningKey } from './auth/signingKey.js';
import { TokenService } from './auth/tokens.js';
import { preparePrivateDataDir } from './dataDir.js';
import { defaultDatabaseUrl, openDatabase } from './db/open.js';
import { canonicalAddress } from './http/clientAddress.js';
import { exposureWarning } from './http/exposure.js';
import { listen, type TlsIdentity } from './http/listen.js';
import { createServices, recoverAtStart, type Services } from './services/index.js';
import { DEFAULT_MAX_TASK_LOG, RetentionService } from './services/retention.js';

export interface ServerOptions {
  host: string;
  port: number;
  dataDir: string;
  /** A libSQL URL; defaults to a file in the data directory. */
  dbUrl?: string | undefined;
  dbAuthToken?: string | undefined;
  heartbeatMs?: number;
  leaseMs?: number;
  /** Task submissions one token may make per minute (default limits.rates.submitsPerMinute). */
  submitsPerMinute?: number;
  /** Addresses of reverse proxies in front of the coordinator: their X-Forwarded-For names the client. */
  trustedProxies?: readonly string[];
  /** Finished tasks' logs are removed this long after they end (default null: kept forever). */
  logRetentionMs?: number | null;
  /** One task's stored log is cut to its head and tail beyond this (default DEFAULT_MAX_TASK_LOG; null: no cap). */
  maxTaskLogBytes?: number | null;
  /** Serve https and wss with this certificate and key (PEM) instead of plain http and ws. */
  tls?: TlsIdentity | undefined;
  /** Listen beyond loopback without TLS (refused otherwise); a warning says what is exposed. */
  insecure?: boolean | undefined;
  /** Where the server says what it is doing (one line each). */
  log?: (line: string) => void;
  /** Environment used to find the credentials file (tests point it elsewhere). */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface RunningServer {
  url: string;
  port: number;
  services: Services;
  close(): Promise<void>;
}

function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts a coordinator: database, signing key, services, then the port. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => console.error(line));
  const env = options.env ?? process.env;
  // Before anything is opened: a refused bind leaves nothing behind.
  const warning = exposureWarning(options.host, {
    tls: options.tls !== undefined,
    insecure: options.insecure ?? false,
  });
  if (warning) log(`nexa server: ${warning}`);
  await preparePrivateDataDir(options.dataDir, log);
  const database = await openDatabase(options.dbUrl ?? defaultDatabaseUrl(options.dataDir), {
    authToken: options.dbAuthToken,
  });
  const key = await loadOrCreateSigningKey(options.dataDir);
  const tokens = new TokenService(database, key.secret);
  const services = createServices(database, tokens, {
    heartbeatMs: options.heartbeatMs ?? 2000,
    leaseMs: options.leaseMs ?? 10_000,
    submitsPerMinute: options.submitsPerMinute,
    trustedProxies: new Set((options.trustedProxies ?? []).map(canonicalAddress)),
    log,
    secretKey: await loadOrCreateSecretKey(options.dataDir),
  });

  await recoverAtStart(services);
  const retention = new RetentionService(database, {
    logRetentionMs: options.logRetentionMs ?? null,
    maxTaskLogBytes: options.maxTaskLogBytes === undefined ? DEFAULT_MAX_TASK_LOG : options.maxTaskLogBytes,
    log,
  });
  services.events.onStored = (taskId, bytes) => retention.noteStored(taskId, bytes);
  retention.start();

  let listening: Awaited<ReturnType<typeof listen>>;
  try {
    listening = await listen(services, options.host, options.port, options.tls);
  } catch (error) {
    await retention.stop();
    await services.leases.stop();
    services.approvals.stop();
    await database.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new NexaError('config', `port ${options.port} on ${options.host} is already in use`, {
        hint: 'stop the other server or pass --port',
      });
    }
    throw error;
  }
  const url = `${options.tls ? 'https' : 'http'}://${reachableHost(options.host)}:${listening.port}`;

  // Local use needs no setup: make sure this machine holds an admin token for this server.
  const credentials = await readCredentials(env);
  const saved = credentials.servers[url]?.token;
  const savedIsValid = saved
    ? await tokens.verify(saved).then(
        () => true,
        () => false,
      )
    : false;
  if (!savedIsValid) {
    const admin = await tokens.issue('admin', 'local-admin');
    await saveServerToken(url, admin.token, env);
    log(`nexa: wrote an admin token for ${url} to ${credentialsPath(env)}`);
  }

  return {
    url,
    port: listening.port,
    services,
    async close() {
      await retention.stop();
      await services.leases.stop();
      services.approvals.stop();
      await listening.close();
      await database.close();
    },
  };
}
