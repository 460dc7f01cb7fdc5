import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { limits, NexaError, parseBytes, parseDuration, parseLabels } from '@nexa/core';
import { DEFAULT_PORT, defaultDataDir } from '@nexa/core/config';
import { Flags } from '@oclif/core';
import { projectList } from './projectList.js';

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
  'submit-rate': Flags.integer({
    description:
      'Task submissions one token may make per minute; more are refused (rate_limited) until the minute has passed. Raise it for a CI token that submits in bursts.',
    min: 1,
    max: 1_000_000,
    default: limits.rates.submitsPerMinute,
  }),
  'trusted-proxy': Flags.string({
    description:
      "Address of a reverse proxy in front of the coordinator (repeatable, or a,b): requests from it are taken to come from the client its X-Forwarded-For names, for the audit log and the failed-login back-off. Without it, everyone behind a proxy shares the proxy's address.",
    multiple: true,
  }),
  'log-retention': Flags.string({
    description:
      "Remove finished tasks' logs (not their statuses) this many days after they end: a number of days, or off. Env: NEXA_LOG_RETENTION_DAYS.",
    env: 'NEXA_LOG_RETENTION_DAYS',
    default: 'off',
  }),
  'max-task-log': Flags.string({
    description:
      "Cut one task's stored log beyond this size, e.g. 64m or 1g, keeping its first and last halves with a marker between (running tasks too); off for no cap. Env: NEXA_MAX_TASK_LOG.",
    env: 'NEXA_MAX_TASK_LOG',
    default: '256m',
  }),
};

const off = (text: string) => /^(off|0|never)$/i.test(text.trim());

/** The coordinator's retention from its flags (null: off). */
export function coordinatorRetention(flags: { 'log-retention': string; 'max-task-log': string }): {
  logRetentionMs: number | null;
  maxTaskLogBytes: number | null;
} {
  const days = flags['log-retention'].trim();
  if (!off(days) && !/^\d+(\.\d+)?$/.test(days)) {
    throw new NexaError('invalid_input', `--log-retention "${days}" is not a number of days`, {
      hint: 'e.g. --log-retention 30, or off to keep logs forever',
    });
  }
  const maxTaskLogBytes = off(flags['max-task-log'])
    ? null
    : parseBytes(flags['max-task-log'], '--max-task-log');
  if (maxTaskLogBytes !== null && maxTaskLogBytes < 64 * 1024) {
    throw new NexaError(
      'invalid_input',
      `--max-task-log ${flags['max-task-log']} is too small to keep a log's head and tail`,
      {
        hint: 'use at least 64k, or off for no cap',
      },
    );
  }
  return {
    logRetentionMs: off(days) ? null : Math.round(Number(days) * 86_400_000),
    maxTaskLogBytes,
  };
}

/** The coordinator's timing from its flags, checked: a lease must outlast a few heartbeats. */
export function coordinatorTiming(flags: {
  heartbeat: string;
  lease: string;
  'submit-rate': number;
  'trusted-proxy'?: string[] | undefined;
}): {
  heartbeatMs: number;
  leaseMs: number;
  submitsPerMinute: number;
  trustedProxies: string[];
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
  const trustedProxies = (flags['trusted-proxy'] ?? []).flatMap((list) =>
    list
      .split(',')
      .map((address) => address.trim())
      .filter(Boolean),
  );
  for (const address of trustedProxies) {
    if (isIP(address) === 0) {
      throw new NexaError('invalid_input', `--trusted-proxy ${address} is not an IP address`, {
        hint: 'name the proxy by the address it connects from, e.g. --trusted-proxy 127.0.0.1',
      });
    }
  }
  return { heartbeatMs, leaseMs, submitsPerMinute: flags['submit-rate'], trustedProxies };
}

/** Flags shared by the commands that start a worker (`nexa worker`, `nexa up`). */
export const workerFlags = {
  name: Flags.string({ description: 'Worker name, unique per coordinator. Default: the host name.' }),
  labels: Flags.string({ description: 'Labels tasks can select, as k=v,k=v.', default: '' }),
  project: Flags.string({
    description:
      'Take tasks of this project only (repeatable, or a,b). Default: every project its token or credential allows.',
    multiple: true,
  }),
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
  'keep-sessions': Flags.string({
    description:
      "How long an agent task's working copy (its session with it) stays after the task ends, so nexa continue can resume it, e.g. 7d, 12h, or off (never less than --keep-workdirs).",
    default: '7d',
  }),
  'agent-bin': Flags.string({
    description:
      "Where an agent's CLI is, as NAME=PATH (claude, codex, or an ACP agent's command name). Repeatable. Default: found on PATH.",
    multiple: true,
    default: [],
  }),
  'pass-env': Flags.string({
    description:
      "Names of this worker's environment variables that coding agents get, as NAME,NAME (e.g. ANTHROPIC_API_KEY,ANTHROPIC_BASE_URL). Nothing else of the worker's environment reaches a task.",
    default: '',
  }),
};

/** `nexa worker`'s credential from a file, so it stays out of the process list (see daemonToken.ts). */
export const tokenFileFlag = Flags.string({
  description:
    'Read the access token from this file (trimmed; a pipe such as <(pass show nexa) works). Safer than --token, which every process can read in the process list.',
  helpGroup: 'GLOBAL',
});

/** The options of `startWorker` that come from the shared worker flags. */
export function workerOptionsFrom(flags: {
  labels: string;
  project?: string[] | undefined;
  capacity?: number | undefined;
  'allow-unsandboxed': boolean;
  image?: string | undefined;
  'keep-workdirs': string;
  'keep-sessions': string;
  'agent-bin': string[];
  'pass-env': string;
  'shutdown-timeout': string;
}) {
  return {
    labels: parseLabels([flags.labels], '--labels'),
    projects: projectList(flags.project),
    capacity: flags.capacity,
    allowUnsandboxed: flags['allow-unsandboxed'],
    image: flags.image,
    keepWorkdirsMs: parseDuration(flags['keep-workdirs'], '--keep-workdirs'),
    keepAgentWorkdirsMs: keepSessionsMs(flags['keep-sessions']),
    shutdownTimeoutMs: parseDuration(flags['shutdown-timeout'], '--shutdown-timeout'),
    agentBins: parseAgentBins(flags['agent-bin']),
    passEnv: parsePassEnv(flags['pass-env']),
  };
}

/** --keep-sessions: a duration, or days (sessions are kept for days, which durations do not write), or off. */
function keepSessionsMs(text: string): number {
  if (off(text)) return 0;
  const days = /^(\d+(?:\.\d+)?)d$/.exec(text.trim())?.[1];
  if (days !== undefined) return Math.round(Number(days) * 86_400_000);
  try {
    return parseDuration(text, '--keep-sessions');
  } catch {
    throw new NexaError('invalid_input', `--keep-sessions "${text}" is not a duration`, {
      hint: 'e.g. --keep-sessions 7d, 12h or 30m, or off to keep them no longer than --keep-workdirs',
    });
  }
}

function parseAgentBins(pairs: readonly string[]): Record<string, string> {
  const bins: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) {
      throw new NexaError('invalid_input', `--agent-bin "${pair}" is not NAME=PATH`, {
        hint: 'e.g. --agent-bin claude=/opt/claude/bin/claude',
      });
    }
    bins[pair.slice(0, eq)] = resolve(pair.slice(eq + 1));
  }
  return bins;
}

function parsePassEnv(list: string): string[] {
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const bad = names.find((name) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
  if (bad !== undefined) {
    throw new NexaError('invalid_input', `--pass-env: "${bad}" is not an environment variable name`, {
      hint: 'e.g. --pass-env ANTHROPIC_API_KEY,ANTHROPIC_BASE_URL',
    });
  }
  return names;
}

export function shutdownFlag(defaultValue: string) {
  return Flags.string({
    description:
      'On Ctrl-C or SIGTERM, how long running tasks may go on before they are handed back to run elsewhere.',
    default: defaultValue,
  });
}
