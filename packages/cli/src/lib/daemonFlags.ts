import { NexaError, parseDuration } from '@nexa/core';
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
  heartbeat: Flags.string({ description: 'How often workers send heartbeats.', default: '2s' }),
  lease: Flags.string({
    description:
      "How long a worker's hold on a task lasts without a heartbeat; then it is lost and its tasks run again.",
    default: '10s',
  }),
};

/** The coordinator's timing from its flags, checked: a lease must outlast a few heartbeats. */
export function coordinatorTiming(flags: { heartbeat: string; lease: string }): {
  heartbeatMs: number;
  leaseMs: number;
} {
  const heartbeatMs = parseDuration(flags.heartbeat, '--heartbeat');
  const leaseMs = parseDuration(flags.lease, '--lease');
  if (heartbeatMs < 100 || leaseMs < 2 * heartbeatMs) {
    throw new NexaError(
      'invalid_input',
      `--lease ${flags.lease} must be at least twice --heartbeat ${flags.heartbeat}`,
      {
        hint: 'the defaults are --heartbeat 2s --lease 10s',
      },
    );
  }
  return { heartbeatMs, leaseMs };
}

/** Flags shared by the commands that start a worker (`nexa worker`, `nexa up`). */
export const workerFlags = {
  name: Flags.string({ description: 'Worker name, unique per coordinator. Default: the host name.' }),
  labels: Flags.string({ description: 'Labels tasks can select, as k=v,k=v.', default: '' }),
  capacity: Flags.integer({
    description: 'How many tasks run at once. Default: the number of CPUs.',
    min: 1,
    max: 1024,
  }),
  'allow-unsandboxed': Flags.boolean({
    description: 'Also run tasks that ask for --sandbox process, as plain processes without walls.',
    default: false,
  }),
  image: Flags.string({ description: 'Default container image for the docker sandbox.' }),
  'keep-workdirs': Flags.string({
    description:
      "How long a finished task's working copy stays on disk, e.g. 1h (its git branch always stays).",
    default: '0s',
  }),
};

export function shutdownFlag(defaultValue: string) {
  return Flags.string({
    description:
      'On Ctrl-C or SIGTERM, how long running tasks may go on before they are handed back to run elsewhere.',
    default: defaultValue,
  });
}
