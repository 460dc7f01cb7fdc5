import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Principal, Role, WorkerRegistration } from '@nexa/core';
import { TokenService } from '../auth/tokens.js';
import { createContextInner } from '../context.js';
import { defaultDatabaseUrl, openDatabase } from '../db/open.js';
import { appRouter } from '../routers/index.js';
import { createServices, type Services } from '../services/index.js';
import { createCallerFactory } from '../trpc.js';

const createCaller = createCallerFactory(appRouter);

export interface Harness {
  services: Services;
  dataDir: string;
  /** A caller acting as the given role, without any network. */
  as(role: Role): ReturnType<typeof createCaller>;
  /** A caller with its own per-connection context, like one WebSocket. */
  connection(role: Role): ReturnType<typeof createCaller>;
  /** A caller acting as a given principal (a task token's, verified by TokenService). */
  asPrincipal(principal: Principal): ReturnType<typeof createCaller>;
  close(): Promise<void>;
}

/** A coordinator's services on a real libSQL file in a temp dir, for router tests. */
export async function createHarness(options: { leaseMs?: number } = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'nexa-router-'));
  const database = await openDatabase(defaultDatabaseUrl(dataDir));
  const tokens = new TokenService(database, new Uint8Array(32).fill(7));
  const services = createServices(database, tokens, {
    heartbeatMs: 2000,
    leaseMs: options.leaseMs ?? 10_000,
    log: () => {},
    secretKey: new Uint8Array(32).fill(9),
    trustedProxies: new Set(),
  });
  const principal = (role: Role): Principal => ({
    jti: `test-${role}`,
    role,
    subject: `test-${role}`,
    projects: null,
  });
  const connection = (role: Role) =>
    createCaller(createContextInner({ services, principal: principal(role) }));
  return {
    services,
    dataDir,
    as: connection,
    connection,
    asPrincipal: (principal) => createCaller(createContextInner({ services, principal })),
    async close() {
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function registration(overrides: Partial<WorkerRegistration> = {}): WorkerRegistration {
  return {
    name: 'w1',
    instanceId: 'instance-1',
    labels: {},
    capacity: 2,
    version: 'test',
    sandboxes: ['bwrap'],
    agents: ['shell'],
    unavailableAgents: [],
    projects: [],
    ...overrides,
  };
}
