import { join } from 'node:path';
import { NexaError } from '@nexa/core';
import { defaultDataDir, resolveClientSettings } from '@nexa/core/config';
import { Flags } from '@oclif/core';
import { ClientCommand } from '../clientCommand.js';
import { shutdownFlag, tokenFileFlag, workerFlags, workerOptionsFrom } from '../lib/daemonFlags.js';
import { daemonJoinToken, daemonToken } from '../lib/daemonToken.js';
import { nexaCommand } from '../lib/nexaCommand.js';
import { say } from '../lib/say.js';
import { untilSignal } from '../lib/untilSignal.js';

export default class Worker extends ClientCommand<typeof Worker> {
  static override summary = 'Run a worker that takes tasks from a coordinator.';
  static override description =
    'Dials the coordinator over WebSocket, registers its name, labels and capacity, and runs the tasks it is given, streaming their output back. Reconnects by itself if the connection drops.';
  static override examples = [
    'NEXA_TOKEN="$(cat worker.token)" <%= config.bin %> worker --server http://coordinator:7420',
    '<%= config.bin %> worker --server http://coordinator:7420 --token-file /etc/nexa/worker.token',
    '<%= config.bin %> worker --name gpu-box-1 --labels gpu=1,os=linux --capacity 2',
    '<%= config.bin %> worker --server https://coordinator:7420 --name gpu-box-1 --join-token-file join.token --project web',
    '<%= config.bin %> worker --server https://coordinator.example:7420 --ca /etc/nexa/ca.crt --token-file /etc/nexa/worker.token',
  ];
  static override enableJsonFlag = false;
  static override flags = {
    ...workerFlags,
    'token-file': tokenFileFlag,
    'join-token-file': Flags.string({
      description:
        'Join with this join token (or $NEXA_JOIN_TOKEN) once: the worker gets its own credential, kept in --data-dir (credential.json, 0600) and used from then on.',
      helpGroup: 'GLOBAL',
    }),
    'shutdown-timeout': shutdownFlag('30s'),
    'data-dir': Flags.string({
      description:
        'Where the worker keeps working copies and its own credential. Default: <nexa data dir>/worker-<name>.',
    }),
  };

  async run(): Promise<void> {
    const { credentialPath, defaultWorkerName, startWorker, workerCredential } = await import('@nexa/worker');
    const { flags } = this;
    const token = await daemonToken(flags, 'nexa worker', say);
    const joinToken = await daemonJoinToken(flags);
    const settings = await resolveClientSettings({ server: flags.server, token, ca: flags.ca });
    const options = workerOptionsFrom(flags); // a bad flag is said before anything starts
    const name = flags.name ?? defaultWorkerName();
    const dataDir = flags['data-dir'] ?? join(defaultDataDir(), `worker-${name}`);
    // Its own credential (kept from joining once, or made now with the join token) wins over any token.
    const own = await workerCredential({
      server: settings.server,
      dataDir,
      name: flags.name ?? (joinToken === undefined ? undefined : name),
      joinToken,
      ca: settings.ca,
    });
    if (own && !own.joined && joinToken !== undefined) {
      say(
        `nexa worker ${own.credential.name}: uses the credential kept in ${credentialPath(dataDir)}; the join token is not needed any more`,
      );
    }
    if (own?.joined)
      say(
        `nexa worker ${own.credential.name}: joined ${settings.server}; its credential is kept in ${credentialPath(dataDir)}`,
      );
    const workerToken = own?.credential.token ?? settings.token;
    if (!workerToken) {
      throw new NexaError('unauthorized', `no token for ${settings.server}`, {
        hint: 'pass --join-token-file (an admin makes one with `nexa token create --role worker --join`), NEXA_TOKEN or --token-file',
      });
    }
    this.settings = { ...settings, token: workerToken };
    const workerName = own?.credential.name ?? name;
    // Listened for before the worker says it is up: a SIGTERM right after "connected" must stop it
    // cleanly, not find Node's default (death by the signal).
    const signalled = untilSignal();
    say(`nexa worker ${workerName}: connecting to ${settings.server}`);
    const worker = await startWorker({
      server: settings.server,
      token: workerToken,
      ca: settings.ca,
      name: workerName,
      ...options,
      dataDir,
      nexaCommand: nexaCommand(),
      log: say,
    }).catch((error: unknown) => {
      throw own && isRevoked(error) ? credentialRevoked() : error;
    });
    say(`nexa worker ${worker.name} (${worker.workerId}) connected to ${settings.server}`);
    const ended = await Promise.race([signalled, worker.refused]);
    if (ended instanceof NexaError) {
      // Its tasks were stopped; the coordinator runs them again elsewhere when their leases lapse.
      if (own) throw credentialRevoked();
      throw new NexaError('unauthorized', ended.message, {
        hint: 'make a new worker token with `nexa token create --role worker` and start the worker with it',
      });
    }
    say(`nexa worker ${worker.name}: ${ended}, stopping`);
    await worker.stop();
  }
}

function isRevoked(error: unknown): boolean {
  return error instanceof NexaError && error.code === 'unauthorized';
}

/** One line, no hint: what to do is in it. */
function credentialRevoked(): NexaError {
  return new NexaError(
    'unauthorized',
    "this worker's credential was revoked: join again with a new join token",
  );
}
