import { DEFAULT_PORT, defaultDataDir } from '@nexa/core/config';
import { Flags } from '@oclif/core';

/** Flags shared by the commands that start a coordinator (`nexa server`, `nexa up`). */
export const coordinatorFlags = {
  host: Flags.string({
    description: 'Address to listen on (0.0.0.0 for every interface).',
    default: '127.0.0.1',
  }),
  port: Flags.integer({
    char: 'p',
    description: 'Port for HTTP and WebSocket (0 picks a free one).',
    default: DEFAULT_PORT,
    min: 0,
    max: 65_535,
  }),
  'data-dir': Flags.string({
    description: 'Where the database and signing key live. Default: $NEXA_DATA_DIR or ~/.local/share/nexa.',
    default: async () => defaultDataDir(),
  }),
  db: Flags.string({
    description: 'A libSQL URL (file:… or libsql://…) instead of the file in the data dir. Env: NEXA_DB_URL.',
    env: 'NEXA_DB_URL',
  }),
  'heartbeat-ms': Flags.integer({
    description: 'How often workers send heartbeats.',
    default: 2000,
    min: 100,
    hidden: true,
  }),
  'lease-ms': Flags.integer({
    description: "How long a worker's hold on a task lasts without heartbeats.",
    default: 10_000,
    min: 500,
    hidden: true,
  }),
};

/** Flags shared by the commands that start a worker (`nexa worker`, `nexa up`). */
export const workerFlags = {
  name: Flags.string({ description: 'Worker name, unique per coordinator. Default: the host name.' }),
  labels: Flags.string({ description: 'Labels tasks can select, as k=v,k=v.', default: '' }),
  capacity: Flags.integer({
    description: 'How many tasks run at once. Default: the number of CPUs.',
    min: 1,
    max: 1024,
  }),
};
